"""Config problems: one sentence each, starting with the file, the TOML key path (indices from
0) and the id of the measure or dataset it is about."""

from __future__ import annotations

from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from .errors import ConfigError as ConfigError
from .names import did_you_mean


def key_path(loc: tuple[Any, ...] | list[Any]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


class Problems:
    def __init__(self, file_name: str):
        self.file_name = file_name
        self.items: list[str] = []

    def add(self, path: str, message: str, about: str | None = None) -> None:
        label = f" ({about})" if about else ""
        self.items.append(f"{self.file_name}: {path}{label}: {message}")

    def validate(self, model: type[BaseModel], raw: Any, loc: tuple[Any, ...], about: str | None = None) -> Any:
        """The first pass over one part: `raw` as `model`, or None with its problems recorded."""
        try:
            return model.model_validate(raw)
        except ValidationError as e:
            self.from_validation(loc, e, about, model)
            return None

    def from_validation(self, prefix: tuple[Any, ...], error: ValidationError, about: str | None,
                        model: type[BaseModel] | None = None) -> None:
        """One problem per TOML key: pydantic's union-branch tags (`str`, `int`, `function-...`) are
        not keys, so they are dropped and the branches' messages joined with "or"."""
        by_path: dict[str, list[str]] = {}
        for e in error.errors():
            loc = prefix + tuple(p for p in e["loc"] if not _is_union_tag(p))
            kind = e["type"]
            if kind == "default_factory_not_called":  # a default that reads a key with its own problem
                continue
            if kind == "finite_number":
                message = "must be a finite number, not inf or nan"
            elif kind == "extra_forbidden":
                inner = tuple(p for p in e["loc"] if not _is_union_tag(p))
                message = "unknown key" + (did_you_mean(str(inner[-1]), known_keys(model, inner[:-1]), "`", 1)
                                           if model is not None and inner else "")
            elif kind == "missing":
                message = "required key is missing"
            else:
                message = e["msg"].removeprefix("Value error, ")
            messages = by_path.setdefault(key_path(loc), [])
            if kind.endswith("_type") or kind in ("literal_error", "string_pattern_mismatch"):
                got = f" (got {e['input']!r})"
                if messages and messages[-1].endswith(got):
                    messages[-1] = messages[-1].removesuffix(got) + " or " + message.removeprefix("Input should be ") + got
                    continue
                message += got
            if message not in messages:
                messages.append(message)
        for path, messages in by_path.items():
            for message in messages:
                self.add(path, message, about)


def known_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The keys the (nested) model at `loc` inside `model` declares, as the TOML spells them."""
    current: Any = model
    for part in loc:
        if isinstance(part, int) or current is None:
            continue
        field = current.model_fields.get(part) if isinstance(current, type) and issubclass(current, BaseModel) else None
        current = _model_in(field.annotation) if field is not None else None
    if not (isinstance(current, type) and issubclass(current, BaseModel)):
        return []
    return [f.alias or name for name, f in current.model_fields.items()]


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds, through list[...], dict[str, ...] and unions."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


_UNION_TAGS = {"str", "int", "float", "bool", "list", "dict", "date", "none"}


def _is_union_tag(part: Any) -> bool:
    """A part of pydantic's error location that names a branch of a union, not a key of the TOML."""
    return isinstance(part, str) and (part.startswith("function-") or part in _UNION_TAGS or "[" in part)

"""The United Kingdom's bank holidays from the `holidays` package, importing only its United Kingdom module.

`holidays.country_holidays("GB", ...)` imports `holidays.countries`, whose `__init__` imports the module of
every country the package knows (about 0.08 s of CPU, more than half of what the package costs; the
year's holidays themselves take about 2 ms). The United Kingdom's class lives in its own module,
`holidays/countries/united_kingdom.py`, which imports only the package's shared parts (`holidays`
itself, its calendars and holiday groups), so it is executed on its own here, with the standard
library's `importlib.util`, as a module of its own that is not registered in `sys.modules` (a later
`import holidays.countries` by anyone else imports the package as usual). The class is the one
`country_holidays("GB")` builds, called with the same arguments; if the module cannot be found or run
this way (another version of the package laid out differently), `country_holidays` is used instead.
tests/test_calendar.py checks that both give the same days for each subdivision over two centuries.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

_MODULE = "holidays.countries.united_kingdom"
_CLASS = "GB"
_lock = threading.Lock()
_found: list[Any] = []  # the class once loaded (or None: load it through `country_holidays`)


def _uk_class() -> Any:
    """The package's `GB` class from its own module, or None when it cannot be loaded on its own."""
    with _lock:
        if not _found:
            _found.append(_load())
        return _found[0]


def _load() -> Any:
    try:
        package = importlib.util.find_spec("holidays")
        if package is None or package.origin is None:
            return None
        path = Path(package.origin).parent / "countries" / "united_kingdom.py"
        spec = importlib.util.spec_from_file_location(_MODULE, path)
        if spec is None or spec.loader is None:
            return None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        found = getattr(module, _CLASS, None)
        return found if isinstance(found, type) else None
    except (ImportError, OSError, SyntaxError, AttributeError):
        return None


def uk_bank_holidays(subdivision: str, years: Iterable[int]) -> list[dt.date]:
    """Every bank holiday of a United Kingdom subdivision (`ENG`, `SCT`, `NIR`) in these years, as
    `holidays.country_holidays("GB", subdiv=subdivision, years=years)` gives them (in no set order)."""
    years = list(years)
    uk = _uk_class()
    if uk is None:
        import holidays

        return list(holidays.country_holidays("GB", subdiv=subdivision, years=years).keys())
    return list(uk(years=years, subdiv=subdivision, expand=True, observed=True, prov=None, state=None,
                   language=None, categories=None).keys())

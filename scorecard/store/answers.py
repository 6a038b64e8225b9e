"""`Results`: the engine's answers, kept between runs in the results store.

Every view (command line, report, alerts, terminal UI) asks a `Results` what it would ask an
`Engine`: `rate`, `changes`, `trend`, `explain`, `resolve_period`, `data_periods`, `has_problems`,
`problem_lines`, ... An answer already in the store under the same key (`fingerprint.result_key`:
the config, the data files' contents, today, the program) is read from there; any other is computed
by an `Engine`, loaded only then, and stored. So a second run on unchanged data loads no data at all,
and anything changed (a data file, the config, the day, the program) gives a new key and a fresh
computation: an answer is never served for inputs it was not computed from.

Only the engine's own answers are kept. What comes from the state file (publications, restatements,
commentary, the outbox) is never stored: the views layer it on after, as they would on the engine's
answers. `changes` with published figures is computed, never stored.

Anything else asked of a `Results` (an attribute it does not answer itself) is handed to the engine,
loaded for it: correct, only not kept.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .disk import Store
from .fingerprint import Manifest, program_versions, result_key, sha256_bytes, source_fingerprint, today_parts

if TYPE_CHECKING:
    from ..engine.config import Config
    from ..engine.engine import Engine, MeasureSeries
    from ..engine.explain import Explanation
    from ..engine.results import BandChanges, ScorecardRating, Trend

T = TypeVar("T")
Problems = tuple[bool, list[str]]


def manifest_of(config: Config) -> Manifest:
    """The data files a config names (datasets, populations, lookups, comparators): (data folder, `file`)
    pairs, expanded as loading expands them (`filenames.files_named`)."""
    names = [ds.file for ds in config.datasets.values()]
    if config.comparators_file:
        names.append(config.comparators_file)
    root = str(config.data_dir)
    return Manifest([(root, name) for name in dict.fromkeys(names)], config.organisation.timezone)


class Results:
    def __init__(self, config_path: Path | str, today: dt.date | None = None, config: Config | None = None,
                 store: Store | None = None, engine_factory: Callable[[Config, dt.date | None], Engine] | None = None):
        """Prefer `Results.open`. `config`, when given, is the config already loaded from `config_path`."""
        self.path = Path(config_path)
        self._today = today  # not `today`: that name is the engine's (the day it computed for)
        self._config = config
        self._store = store
        self._factory = engine_factory
        self._engine: Engine | None = None
        self._key: str | None = None
        self._key_parts: tuple[Any, ...] | None = None
        self._verified = False
        self._memo: dict[str, Any] = {}
        self._problems: Problems | None = None
        self._engine_lock = threading.RLock()
        self._config_lock = threading.Lock()
        self._store_lock = threading.Lock()
        # another process that may be storing answers under this key (the terminal UI's first start: see
        # tui/firststart.py): a question not found is asked again once it has ended, before it is computed
        self._pending: Callable[[], None] | None = None
        self._pending_lock = threading.Lock()
        self.served = 0  # answers read from the store in this process (for tests and `--verbose` tools)
        self.computed = 0

    @classmethod
    def open(cls, config_path: Path | str, today: dt.date | None = None, *, load: bool = True,
             engine_factory: Callable[[Config, dt.date | None], Engine] | None = None) -> Results:
        """The results of a config. With `load` (the default) the config is read and checked now, raising
        `ConfigError` as `load_config` does; without it, only when first needed, and not at all when every
        answer asked for is in the store."""
        results = cls(config_path, today, store=Store.open(), engine_factory=engine_factory)
        if load:
            results._load_config()
        results._prepare_key()
        return results

    @classmethod
    def open_known(cls, config_path: Path | str, today: dt.date | None = None) -> Results | None:
        """The results of a config whose text the store has seen (it knows the data files it names), without
        reading the config; None when the store is off or has never seen this text (`open` would read it)."""
        store = Store.open()
        if store is None:
            return None
        results = cls(config_path, today, store=store)
        if not results._prepare_key(read_config=False):
            store.close()
            return None
        return results

    @classmethod
    def of_config(cls, config: Config, today: dt.date | None = None,
                  engine_factory: Callable[[Config, dt.date | None], Engine] | None = None) -> Results:
        """The results of a config already loaded (by the terminal UI, say)."""
        results = cls(config.path, today, config=config, store=Store.open(), engine_factory=engine_factory)
        results._prepare_key()
        return results

    # -- config and engine ----------------------------------------------------------------------------
    def _load_config(self) -> Config:
        if self._config is None:
            with self._config_lock:  # read once, whichever thread asks first (the others wait for it)
                if self._config is None:
                    from ..engine.config import load_config

                    self._config = load_config(self.path)
        return self._config

    @property
    def config(self) -> Config:
        return self._load_config()

    @property
    def config_read(self) -> bool:
        return self._config is not None

    @property
    def loaded(self) -> bool:
        """Whether the engine (and so the data) has been loaded in this process."""
        return self._engine is not None

    def release(self) -> None:
        """Close the store's connection (it opens again when next used): before `os.fork()`, since SQLite's
        state for an open database must not be carried into a child process."""
        if self._store is not None:
            with self._store_lock:
                self._store.close()

    def expect(self, pending: Callable[[], None]) -> None:
        """Another process is storing answers under this key: `pending()` waits for it to end. Until then a
        question not in the store waits for it and looks again before it loads the engine."""
        self._pending = pending

    def _await_pending(self) -> bool:
        """Wait for the other process storing answers, if any; whether there was one."""
        if self._pending is None:
            return False
        with self._pending_lock:  # one thread waits for it; the others wait for that one
            if self._pending is not None:
                self._pending()
                self._pending = None
        return True

    @property
    def engine(self) -> Engine:
        """The engine, loading the data the first time."""
        self._await_pending()
        with self._engine_lock:
            if self._engine is None:
                factory = self._factory
                if factory is None:
                    from ..engine.engine import Engine

                    factory = Engine
                self._engine = factory(self.config, self._today)
            return self._engine

    def warm(self, prime: Callable[[Engine], Any] | None = None) -> None:
        """Load the engine now, and run `prime` on it (computing what later questions will need), holding
        the engine to this caller: for a thread that gets ready behind a screen served from the store."""
        with self._engine_lock:
            engine = self.engine
            if prime is not None:
                prime(engine)

    def __getattr__(self, name: str) -> Any:
        # Only called for what this class does not define: the engine answers it, unstored.
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.engine, name)

    # -- the key ------------------------------------------------------------------------------------------
    def _prepare_key(self, read_config: bool = True) -> bool:
        """Work out the key now (reading the config's text and statting the data files); whether it was.
        Without `read_config`, not when the store has never seen this config's text (that needs the config)."""
        store = self._store
        if store is None:
            return False
        try:
            text = self.path.read_bytes()
        except OSError:
            self._store = None  # load_config reports it
            return False
        resolved = str(self.path.resolve())
        config_sha = sha256_bytes(text)
        with self._store_lock:
            found = store.manifest(resolved, config_sha, source_fingerprint())
        if found is None and not read_config:
            return False
        if found is None:
            manifest = manifest_of(self._load_config())
            with self._store_lock:
                store.remember_manifest(resolved, config_sha, source_fingerprint(), manifest.to_json())
        else:
            manifest = Manifest.from_json(found)
        self._key_parts = (Path(resolved), config_sha, manifest)
        with self._store_lock:
            self._key = self._compute_key()
        return True

    def _compute_key(self) -> str:
        assert self._key_parts is not None and self._store is not None
        path, config_sha, manifest = self._key_parts
        key = result_key(path, config_sha, manifest, self._store)
        if self._today is not None:  # a day given by the caller (tests, the UI's --today) stands for today
            key = sha256_bytes(f"{key} given {self._today.isoformat()}".encode())
        return key

    @property
    def key(self) -> str | None:
        return self._key

    # -- asking -------------------------------------------------------------------------------------------
    def ask(self, question: str, compute: Callable[[Engine], T], computes: bool = True) -> T:
        """The answer to `question` (a string naming the question and its arguments): from this process,
        else from the store, else `compute(engine)`, then stored. `computes`: the answer needs the measures
        computed, so the data problems found with it are kept beside it (`has_problems`, `problem_lines`)."""
        found, value = self._kept(question)
        if found:
            return value
        if self._await_pending():  # it may have been on its way
            found, value = self._kept(question)
            if found:
                return value
        with self._engine_lock:
            engine = self.engine
            value = compute(engine)
            problems = (engine.has_problems, engine.problem_lines()) if computes else None
        self.computed += 1
        entry = (value, problems)
        self._memo[question] = entry
        if problems is not None:
            self._problems = problems
        self._keep(question, entry)
        if computes:
            self._keep_periods(engine)
        return value

    def _kept(self, question: str) -> tuple[bool, Any]:
        """Whether the answer is known without the engine (in this process, or in the store), and it."""
        if question in self._memo:
            value, problems = self._memo[question]
            if problems is not None:
                self._problems = problems
            return True, value
        if self._store is not None and self._key is not None:
            with self._store_lock:
                found, entry = self._store.get(self._key, question)
                if found and not self.served:
                    self._store.touch(self._key)  # used now: kept before keys and configs not used lately
            if found:
                value, problems = entry
                self._memo[question] = entry
                if problems is not None:
                    self._problems = problems
                self.served += 1
                return True, value
        return False, None

    def kept(self, name: str, args: tuple[Any, ...] = ()) -> tuple[bool, Any]:
        """A view's own answer kept by `keep` (or `memo`), if it is in this process or the store: never computed."""
        return self._kept(_question(name, args))

    def keep(self, name: str, args: tuple[Any, ...], value: Any) -> None:
        """Keep a view's own answer that needs no engine (what the terminal UI's first screen needs of the
        config, say) under this key: it is served only for the same config text, data, day and program."""
        question = _question(name, args)
        self._memo[question] = (value, None)
        self._keep(question, (value, None), engine_read=False)

    def _keep_periods(self, engine: Engine) -> None:
        """While the engine is at hand, the periods every view asks for too (the terminal UI's first screen
        after `scorecard rate`, say, needs nothing else)."""
        for name, args, get in (("data_periods", (), engine.data_periods), ("latest_period", (), engine.latest_period),
                                ("first_period", (), engine.first_period),
                                ("resolve_period", (None,), lambda: engine.resolve_period(None))):
            question = _question(name, args)
            if question in self._memo:
                continue
            try:
                with self._engine_lock:
                    value = get()
            except Exception:  # no period with data: left for the question itself to raise
                continue
            self._memo[question] = (value, None)
            self._keep(question, (value, None))

    def _keep(self, question: str, entry: tuple[Any, Problems | None], engine_read: bool = True) -> None:
        store, key = self._store, self._key
        if store is None or key is None:
            return
        with self._store_lock:
            if not self._verified:
                # The inputs must still be those the key was made from (a file rewritten while the engine
                # read it, or midnight passing, would otherwise store an answer under the wrong key). Checked
                # once the engine has read the data: a view's own answer kept before (the terminal UI's
                # heading, kept before the engine loads) is checked too, but does not settle it.
                if self._compute_key() != key:
                    self._store = None
                    return
                self._verified = engine_read
            store.put(key, question, str(self.path.resolve()), entry)

    def memo(self, name: str, args: tuple[Any, ...], compute: Callable[[Engine], T]) -> T:
        """A view's own answer built from the engine's (the terminal UI's scorecard screen, say), kept like them."""
        return self.ask(_question(name, args), compute)

    # -- the engine's answers -------------------------------------------------------------------------------
    # The scorecard and periods of a question are resolved first (the default scorecard is the first, the
    # default period the latest with data), so that `scorecard rate` and the terminal UI's first screen,
    # say, ask the same question and share its answer.
    def rate(self, scorecard_id: str | None = None, period: str | None = None) -> ScorecardRating:
        found, value = self._unread_config("rate", scorecard_id, period)
        if found:
            return value
        sc, p = self.scorecard(scorecard_id).id, self.resolve_period(period)
        return self.ask(_question("rate", (sc, p)), lambda e: e.rate(sc, p))

    def _unread_config(self, name: str, scorecard_id: str | None, period: str | None = None,
                       with_period: bool = True) -> tuple[bool, Any]:
        """Before the config is read (the terminal UI's first screen from the store): an answer stored under
        the scorecard id as given is this scorecard's (questions are stored under the config's own ids), so
        it needs no config; anything else is asked as usual, reading the config."""
        if self._config is not None or scorecard_id is None or self._key is None:
            return False, None
        if not with_period:
            return self._kept(_question(name, (scorecard_id,)))
        found, p = self._kept(_question("resolve_period", (period,)))
        return self._kept(_question(name, (scorecard_id, p))) if found else (False, None)

    def changes(self, scorecard_id: str | None, from_period: str, to_period: str, *args: Any, **kwargs: Any) -> BandChanges:
        if any(a is not None for a in (*args, *kwargs.values())):  # published figures: from the state file
            with self._engine_lock:
                return self.engine.changes(scorecard_id, from_period, to_period, *args, **kwargs)
        sc, a, b = self.scorecard(scorecard_id).id, self.resolve_period(from_period), self.resolve_period(to_period)
        return self.ask(_question("changes", (sc, a, b)), lambda e: e.changes(sc, a, b))

    def trend(self, scorecard_id: str | None = None) -> Trend:
        found, value = self._unread_config("trend", scorecard_id, with_period=False)
        if found:
            return value
        sc = self.scorecard(scorecard_id).id
        return self.ask(_question("trend", (sc,)), lambda e: e.trend(sc))

    def explain(self, measure_id: str, period: str | None = None, **kwargs: Any) -> Explanation:
        p = self.resolve_period(period)

        def compute(e: Engine) -> Explanation:
            from ..engine.explain import explain

            return explain(e, measure_id, p, **kwargs)

        return self.ask(_question("explain", (measure_id, p), kwargs), compute)

    def series(self, measure_id: str, *months: int) -> MeasureSeries:
        """A measure in every period of the grid (asked by the report's activity since the last report)."""
        return self.ask(_question("series", (measure_id, *months)), lambda e: e.series(measure_id, *months))

    def resolve_period(self, period: str | None) -> str:
        return self.ask(_question("resolve_period", (period,)), lambda e: e.resolve_period(period), computes=False)

    def latest_period(self) -> str | None:
        return self.ask(_question("latest_period", ()), lambda e: e.latest_period(), computes=False)

    def first_period(self) -> str | None:
        return self.ask(_question("first_period", ()), lambda e: e.first_period(), computes=False)

    def data_periods(self) -> list[str]:
        return self.ask(_question("data_periods", ()), lambda e: e.data_periods(), computes=False)

    @staticmethod
    def previous_period(period: str) -> str:
        from ..engine.engine import Engine

        return Engine.previous_period(period)

    # config look-ups: what the engine's own methods do (engine/lookup.py), without importing the engine
    def scorecard(self, scorecard_id: str | None) -> Any:
        from ..engine.lookup import scorecard_of

        return scorecard_of(self.config, scorecard_id)

    def scorecard_measures(self, scorecard_id: str | None, month: int | None = None) -> list[Any]:
        from ..engine.engine import Engine

        return Engine.scorecard_measures(self, scorecard_id, month)  # type: ignore[arg-type]

    def measure(self, measure_id: str) -> Any:
        from ..engine.lookup import measure_of

        return measure_of(self.config, measure_id)

    # -- data problems -------------------------------------------------------------------------------------
    def _current_problems(self) -> Problems:
        if self._problems is None:
            with self._engine_lock:
                engine = self.engine
                return engine.has_problems, engine.problem_lines()
        return self._problems

    @property
    def has_problems(self) -> bool:
        return self._current_problems()[0]

    def problem_lines(self) -> list[str]:
        return list(self._current_problems()[1])


def explain_of(engine: Results | Engine, measure_id: str, period: str | None = None, **kwargs: Any) -> Explanation:
    """A measure's drill-down: kept in the store when asked of `Results`, computed when asked of a bare `Engine`."""
    if isinstance(engine, Results):
        return engine.explain(measure_id, period, **kwargs)
    from ..engine.explain import explain

    return explain(engine, measure_id, period, **kwargs)


def _question(name: str, args: tuple[Any, ...], kwargs: dict[str, Any] | None = None) -> str:
    return repr((name, args, sorted((kwargs or {}).items())))


__all__ = ["Results", "explain_of", "manifest_of", "program_versions", "today_parts"]

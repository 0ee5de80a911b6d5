"""Chokepoint from Python: rare-earth export-control scenarios as a Monte Carlo experiment.

    import chokepoint as ck
    s = ck.Scenario.load("scenarios/list_expansion_2025_10.toml")
    s = s.with_values({"shock.exports_2025_10.approval.us": 0.5})
    r = s.run(reps=2000, seed=1)
    r.summary()          # pandas DataFrame, the rows of summary.csv
    r.timeseries()       # timeseries.csv
    r.replications()     # replications.csv
    r.manifest           # manifest.json as a dict

Every run goes through the same Rust engine as the `chokepoint` command line (the
`chokepoint-engine` crate), into an output folder (a temporary one unless `out=` is given),
whose tables (CSV or Parquet, `format=`) are read with pyarrow: the numbers are the CLI's,
bit for bit, at the same seed. `compare()` and `sweep()` do what `chokepoint compare` and `chokepoint sweep` do.
`chokepoint.ema` adapts a scenario to the EMA Workbench. docs/python.md has the details.
"""

from __future__ import annotations

import json
import math
import numbers
import shutil
import tempfile
import weakref
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Optional, Union

import pandas as pd

from . import _native
from ._native import ChokepointError, ScenarioError

__all__ = [
    "ChokepointError",
    "ScenarioError",
    "Scenario",
    "Results",
    "compare",
    "sweep",
    "BATCH",
    "FORMATS",
]
__version__ = _native.__version__

#: Replications per batch, as the CLI's `--batch` default: the unit of stopping on Ctrl-C.
#: Results do not depend on it.
BATCH = 256

PathLike = Union[str, "Path"]


def _toml(value: Any, top: bool) -> str:
    """A Python value as the TOML text `--set` takes."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        x = float(value)
        if not math.isfinite(x):
            raise ValueError(f"{value!r} is not a finite number; scenario values must be finite")
        return repr(x)
    if isinstance(value, str):
        # At the top, exactly what `--set PATH=VALUE` takes: TOML text, a bare word a string.
        return value if top else json.dumps(value)
    if isinstance(value, Mapping):
        inner = ", ".join(f"{k} = {_toml(v, False)}" for k, v in value.items())
        return "{ " + inner + " }"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(v, False) for v in value) + "]"
    raise TypeError(
        f"{value!r} ({type(value).__name__}) cannot be a scenario value; "
        "give a number, a bool, a string (TOML text, as for --set), a dict or a list"
    )


def _assignments(values: Mapping[str, Any]) -> list:
    return [f"{key}={_toml(value, True)}" for key, value in values.items()]


def _threads(threads: Optional[int]) -> int:
    if threads is None:
        return 0
    if isinstance(threads, bool) or not isinstance(threads, numbers.Integral) or threads < 0:
        raise ValueError(f"threads must be None (all cores) or a whole number >= 0, not {threads!r}")
    return int(threads)


def _count(name: str, value: Optional[int], least: int) -> Optional[int]:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < least:
        raise ValueError(f"{name} must be a whole number >= {least}, not {value!r}")
    return int(value)


#: What `format=` takes: the CLI's `--format` (None: as the CLI without it: CSV, or Parquet for a
#: sweep whose CSV would be huge, said in the manifest's `format_note`).
FORMATS = ("csv", "parquet", "both")


def _format(format: Optional[str]) -> Optional[str]:
    if format is not None and format not in FORMATS:
        raise ValueError(f"format must be None or one of {', '.join(FORMATS)}, not {format!r}")
    return format


def _options(reps, seed, threads, out, force, batch, format, command) -> tuple:
    """The engine's options, and whether the folder is a temporary one to delete."""
    temporary = out is None
    folder = Path(tempfile.mkdtemp(prefix="chokepoint-")) if temporary else Path(out)
    options = {
        "seed": _count("seed", seed, 0),
        "reps": _count("reps", reps, 1),
        "batch": _count("batch", batch, 1),
        "threads": _threads(threads),
        "out": str(folder),
        "force": bool(force),
        "format": _format(format),
        "command": command,
    }
    return options, folder, temporary


def _cli_words(reps, seed, batch, format, values: Mapping[str, Any]) -> list:
    """The CLI arguments that give the same plan and files (recorded in the manifest)."""
    words = []
    if format is not None:
        words += ["--format", str(format)]
    if reps is not None:
        words += ["--reps", str(reps)]
    if seed is not None:
        words += ["--seed", str(seed)]
    if batch != BATCH:
        words += ["--batch", str(batch)]
    for a in _assignments(values):
        words += ["--set", a]
    return words


def _execute(call, *args, options, folder: Path, temporary: bool) -> "Results":
    try:
        call(*args, options)
    except KeyboardInterrupt:
        if not temporary:
            raise
        shutil.rmtree(folder, ignore_errors=True)
        raise KeyboardInterrupt("stopped by Ctrl-C; nothing is kept (give out= to keep finished work)") from None
    except BaseException:
        if temporary:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    return Results(folder, temporary=temporary)


class Results:
    """The files of a finished run, comparison or sweep, as pandas DataFrames.

    `folder` is where they are; a temporary folder (no `out=` given) is deleted when this
    object is garbage collected. `manifest` is manifest.json as a dict. Every table is read
    with pyarrow's CSV reader (exact decimal-to-binary conversion) into pandas.
    """

    def __init__(self, folder: PathLike, temporary: bool = False):
        self.folder = Path(folder)
        manifest = self.folder / "manifest.json"
        if not manifest.is_file():
            raise ChokepointError(f"{self.folder}: no manifest.json; give the output folder of a chokepoint run, compare or sweep")
        self.manifest: dict = json.loads(manifest.read_text(encoding="utf-8"))
        self.kind: str = self.manifest.get("kind", "run")
        self._cleanup = (
            weakref.finalize(self, shutil.rmtree, str(self.folder), True) if temporary else None
        )

    def table(self, name: str) -> pd.DataFrame:
        """Any table of the folder (`name` with or without `.csv`/`.parquet`; `a/b/summary` for a
        cell of a comparison) as a DataFrame, from `NAME.parquet` when the folder has it (typed
        columns), else `NAME.csv` (pyarrow's CSV reader: exact decimal-to-binary conversion). Both
        hold the same values; `date` columns become datetimes either way."""
        stem = name
        for suffix in (".csv", ".parquet"):
            if stem.endswith(suffix):
                stem = stem[: -len(suffix)]
        parquet = self.folder / (stem + ".parquet")
        csv = self.folder / (stem + ".csv")
        if parquet.is_file() and not name.endswith(".csv"):
            import pyarrow.parquet as pq

            frame = pq.read_table(parquet).to_pandas()
        elif csv.is_file() and not name.endswith(".parquet"):
            import pyarrow.csv as pacsv

            convert = pacsv.ConvertOptions(strings_can_be_null=False)
            frame = pacsv.read_csv(csv, convert_options=convert).to_pandas()
        else:
            have = sorted(
                str(p.relative_to(self.folder))
                for pattern in ("*.csv", "*.parquet")
                for p in self.folder.rglob(pattern)
            )
            raise ChokepointError(
                f"{self.folder / name}: no such table in this {self.kind}; it has {', '.join(have) or 'none'}"
            )
        for col in ("date", "from", "to"):
            if col in frame.columns:
                frame[col] = pd.to_datetime(frame[col])
        return frame

    def summary(self) -> pd.DataFrame:
        """summary.csv: one row per metric (`metric, n, mean, sd, ci95_lo, ci95_hi, p5, ... p95`)."""
        return self.table("summary")

    def timeseries(self) -> pd.DataFrame:
        """timeseries.csv: long format, one row per step and variable."""
        return self.table("timeseries")

    def replications(self) -> pd.DataFrame:
        """replications.csv: one row per replication (`rep`, `seed`, every metric)."""
        return self.table("replications")

    def comparison(self) -> pd.DataFrame:
        """comparison.csv of a comparison: scenario × strategy × metric."""
        return self.table("comparison")

    def benchmark(self) -> pd.DataFrame:
        """benchmark.csv of a comparison of several scenarios: strategies ranked by regret."""
        return self.table("benchmark")

    def sweep(self) -> pd.DataFrame:
        """sweep.csv of a sweep: one row per point (× strategy)."""
        return self.table("sweep")

    def tornado(self) -> pd.DataFrame:
        """tornado.csv of a one-at-a-time (`oat`) sweep."""
        return self.table("tornado")

    def __repr__(self) -> str:
        return f"<chokepoint.Results {self.kind} in {self.folder}>"


class Scenario:
    """A scenario file with values set in it (as `--set`), loaded and validated."""

    def __init__(self, path: PathLike, values: Optional[Mapping[str, Any]] = None):
        self.path = Path(path)
        self._values = dict(values or {})
        name, description, timeline = _native.load(str(self.path), _assignments(self._values))
        self.name: str = name
        self.description: str = description
        self._timeline = timeline

    @classmethod
    def load(cls, path: PathLike, values: Optional[Mapping[str, Any]] = None) -> "Scenario":
        """Reads and validates `path` (and the files it extends). Raises `ScenarioError` with
        file:line:column and the key, as `chokepoint check` prints them."""
        return cls(path, values)

    @property
    def values(self) -> dict:
        """The values set on top of the file, in order (keys as for `--set`)."""
        return dict(self._values)

    def with_values(self, values: Mapping[str, Any]) -> "Scenario":
        """A new scenario with `values` set (keys as for `--set`, shocks by name:
        `{"shock.exports_2025_10.approval.us": 0.5}`), validated as the CLI validates them."""
        merged = dict(self._values)
        merged.update(values)
        return Scenario(self.path, merged)

    def timeline(self) -> pd.DataFrame:
        """The dated shocks (`date, step, shock, what, whom, uncertain`), as `chokepoint check`
        prints them; uncertain dates at their central values."""
        frame = pd.DataFrame(self._timeline, columns=["date", "step", "shock", "what", "whom", "uncertain"])
        frame["date"] = pd.to_datetime(frame["date"])
        return frame

    def run(
        self,
        reps: Optional[int] = None,
        seed: Optional[int] = None,
        threads: Optional[int] = None,
        out: Optional[PathLike] = None,
        *,
        batch: int = BATCH,
        force: bool = False,
        format: Optional[str] = None,
    ) -> Results:
        """Runs `reps` replications (default: the scenario's, else 1000) under master `seed`
        (default: the scenario's, else 0) on `threads` workers (None: all cores; results do not
        depend on it), writing into `out` (default: a temporary folder), as `chokepoint run`.
        The GIL is released meanwhile; Ctrl-C stops at the end of the current batch and raises
        KeyboardInterrupt (a given `out` keeps the finished replications, marked interrupted).
        `format` is the CLI's `--format` ("csv", "parquet", "both"); the Results read either."""
        command = ["run", str(self.path)] + _cli_words(reps, seed, batch, format, self._values)
        options, folder, temporary = _options(reps, seed, threads, out, force, batch, format, command)
        return _execute(
            _native.run, str(self.path), _assignments(self._values),
            options=options, folder=folder, temporary=temporary,
        )

    def __repr__(self) -> str:
        return f"<chokepoint.Scenario {self.name!r} from {self.path}, {len(self._values)} values set>"


def _paths_and_values(scenarios) -> tuple:
    """Scenario files and the values set on them: every Scenario given must set the same ones,
    since a comparison applies one set of values to all its scenarios."""
    if isinstance(scenarios, (str, Path, Scenario)):
        scenarios = [scenarios]
    paths, values = [], None
    for s in scenarios:
        if isinstance(s, Scenario):
            paths.append(str(s.path))
            mine = s.values
        else:
            paths.append(str(s))
            mine = {}
        if values is None:
            values = mine
        elif mine != values:
            raise ValueError(
                "the scenarios set different values; a comparison applies one set to all of them: "
                "pass paths and values=..., or Scenarios with the same values"
            )
    if not paths:
        raise ValueError("give at least one scenario")
    return paths, values or {}


def compare(
    scenarios: Union[PathLike, Scenario, Iterable[Union[PathLike, Scenario]]],
    strategies: Optional[PathLike] = None,
    reps: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    out: Optional[PathLike] = None,
    *,
    baseline: Optional[str] = None,
    objective: Optional[str] = None,
    values: Optional[Mapping[str, Any]] = None,
    batch: int = BATCH,
    force: bool = False,
    format: Optional[str] = None,
) -> Results:
    """Compares the strategies of `strategies` on `scenarios` (files, Scenarios, or a benchmark
    suite file) on common random numbers, as `chokepoint compare`. The returned Results has
    `comparison()` and, with several scenarios, `benchmark()`; each cell's run files are under
    `<scenario>/<strategy>/` (`results.table("<scenario>/<strategy>/summary")`)."""
    paths, set_values = _paths_and_values(scenarios)
    set_values.update(values or {})
    command = ["compare", *paths]
    if strategies is not None:
        command += ["--strategies", str(strategies)]
    if baseline is not None:
        command += ["--baseline", baseline]
    if objective is not None:
        command += ["--objective", objective]
    command += _cli_words(reps, seed, batch, format, set_values)
    options, folder, temporary = _options(reps, seed, threads, out, force, batch, format, command)
    return _execute(
        _native.compare, paths, None if strategies is None else str(strategies), baseline,
        objective, _assignments(set_values),
        options=options, folder=folder, temporary=temporary,
    )


def sweep(
    scenario: Union[PathLike, Scenario],
    params: Mapping[str, tuple],
    design: str,
    reps: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    out: Optional[PathLike] = None,
    *,
    strategies: Optional[PathLike] = None,
    values: Optional[Mapping[str, Any]] = None,
    batch: int = BATCH,
    force: bool = False,
    format: Optional[str] = None,
) -> Results:
    """Sweeps `params` (`{"key": (lo, hi)}`, keys as for `--set`) over `design` (`"grid:K"`,
    `"lhs:K"` or `"oat"`), optionally × `strategies`, as `chokepoint sweep`. The returned
    Results has `sweep()` (and `tornado()` for `oat`)."""
    paths, set_values = _paths_and_values(scenario)
    set_values.update(values or {})
    ranges = []
    for key, bounds in params.items():
        try:
            lo, hi = bounds
        except (TypeError, ValueError):
            raise ValueError(f"params[{key!r}] must be a pair (lo, hi), not {bounds!r}") from None
        ranges.append(f"{key}={_toml(lo, False)}:{_toml(hi, False)}")
    command = ["sweep", paths[0]]
    for r in ranges:
        command += ["--param", r]
    command += ["--design", design]
    if strategies is not None:
        command += ["--strategies", str(strategies)]
    command += _cli_words(reps, seed, batch, format, set_values)
    options, folder, temporary = _options(reps, seed, threads, out, force, batch, format, command)
    return _execute(
        _native.sweep, paths[0], ranges, design,
        None if strategies is None else str(strategies), _assignments(set_values),
        options=options, folder=folder, temporary=temporary,
    )


from . import ema  # noqa: E402  (ck.ema; imports ema_workbench only when used)

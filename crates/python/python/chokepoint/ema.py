"""The EMA Workbench adapter: a Chokepoint scenario as an `ema_workbench.Model`.

    import chokepoint as ck
    from ema_workbench import perform_experiments
    from ema_workbench.analysis import prim

    s = ck.Scenario.load("scenarios/list_expansion_2025_10.toml")
    model = ck.ema.model(
        s,
        uncertainties={"shock.exports_2025_10.approval.us": (0.2, 0.9)},
        levers={"stockpile.us_ndpr.release_threshold": (0.3, 0.9)},
        outcomes=["unmet_demand_share", "peak_price_ratio/dy"],
        reps=20,
    )
    experiments, outcomes = perform_experiments(model, 100)

**What an experiment is.** EMA draws one value per uncertainty and lever; the model sets them
on the scenario (keys exactly as for `chokepoint run --set`, shocks by name, validated the same
way), runs `reps` replications of the Monte Carlo through the same engine as the CLI, and
returns, for each outcome (a metric of summary.csv), its `statistic` over those replications:
`"mean"` (default), `"sd"`, one of summary.csv's quantiles `"p5"`, `"p25"`, `"p50"`, `"p75"`,
`"p95"`, or any quantile as a number in [0, 1] (`0.9`: linear interpolation over replications,
as summary.csv's quantiles and numpy's default).

**Seeds.** With `seeds="per_experiment"` (default), experiment `i`'s master seed is derived
from `seed` and its values (a SHA-256 of both): deterministic, the same for the same values
whatever the order, the evaluator or the number of processes, and different between
experiments. With `seeds="common"`, every experiment runs under `seed` itself: common random
numbers, so differences between experiments come from the values alone (often what a PRIM
analysis wants). Either way, rerunning the same experiments gives the same outcomes.

**Names.** EMA names must be Python identifiers, so each key and metric gets one: every
character outside `[A-Za-z0-9_]` becomes `_` (`peak_price_ratio/dy` -> `peak_price_ratio_dy`).
`model.chokepoint_names` maps them back to the keys and metrics. A dict `{name: key}` may be
given for outcomes, and a `(name, range)` pair for an uncertainty or lever's value, to choose
the names.
"""

from __future__ import annotations

import hashlib
import json
import numbers
import re
from collections.abc import Mapping, Sequence
from typing import Any, Optional, Union

QUANTILES = ("p5", "p25", "p50", "p75", "p95")
STATISTICS = ("mean", "sd") + QUANTILES


def _identifier(text: str) -> str:
    name = re.sub(r"\W", "_", text)
    return name if name.isidentifier() else "_" + name


def _parameter(ema, name: str, key: str, spec: Any):
    """An EMA parameter for a scenario key: (lo, hi) numbers, or a list of categories."""
    if isinstance(spec, tuple) and len(spec) == 2 and all(isinstance(x, numbers.Real) for x in spec):
        lo, hi = spec
        if not lo < hi:
            raise ValueError(f"{key}: the range ({lo!r}, {hi!r}) must have lo < hi")
        if all(isinstance(x, numbers.Integral) and not isinstance(x, bool) for x in spec):
            return ema.IntegerParameter(name, int(lo), int(hi))
        return ema.RealParameter(name, float(lo), float(hi))
    if isinstance(spec, (list, set, frozenset)) and len(spec) > 0:
        return ema.CategoricalParameter(name, list(spec))
    raise ValueError(
        f"{key}: give a range (lo, hi) of numbers or a non-empty list of categories, not {spec!r}"
    )


def _parameters(ema, specs: Optional[Mapping[str, Any]], names: dict) -> list:
    params = []
    for key, spec in (specs or {}).items():
        name = _identifier(key)
        if isinstance(spec, tuple) and len(spec) == 2 and isinstance(spec[0], str):
            name, spec = spec
        if name in names:
            raise ValueError(f"{key}: the name {name!r} is used twice; name it with (name, range)")
        names[name] = key
        params.append(_parameter(ema, name, key, spec))
    return params


def _statistic(frame_summary, replications, metric: str, statistic: Union[str, float]) -> float:
    if isinstance(statistic, str):
        rows = frame_summary[frame_summary["metric"] == metric]
        if rows.empty:
            have = ", ".join(frame_summary["metric"])
            raise KeyError(f"no metric {metric!r} in this scenario's summary; it has: {have}")
        return float(rows[statistic].iloc[0])
    column = replications()[metric]
    return float(column.quantile(float(statistic), interpolation="linear"))


def experiment_seed(seed: int, values: Mapping[str, Any]) -> int:
    """The master seed of the experiment that sets `values`, under `seeds="per_experiment"`:
    the first 8 bytes of SHA-256 of the seed and the values' `--set` texts (sorted, as JSON),
    halved to stay below 2^63. A numpy number and the Python number of the same value agree."""
    from . import _assignments

    text = json.dumps([int(seed), sorted(_assignments(values))])
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def model(
    scenario,
    uncertainties: Optional[Mapping[str, Any]] = None,
    levers: Optional[Mapping[str, Any]] = None,
    outcomes: Union[Sequence[str], Mapping[str, str]] = (),
    reps: int = 100,
    statistic: Union[str, float] = "mean",
    seed: int = 1,
    seeds: str = "per_experiment",
    threads: Optional[int] = None,
    name: str = "chokepoint",
):
    """An `ema_workbench.Model` that runs `scenario` (a `chokepoint.Scenario` or a path) with the
    experiment's values set (module docstring: what an outcome is, seeds, names)."""
    import ema_workbench as ema

    from . import Scenario

    if not isinstance(scenario, Scenario):
        scenario = Scenario.load(scenario)
    if isinstance(statistic, str):
        if statistic not in STATISTICS:
            raise ValueError(f"statistic must be one of {', '.join(STATISTICS)} or a quantile in [0, 1], not {statistic!r}")
    elif not (isinstance(statistic, numbers.Real) and 0.0 <= float(statistic) <= 1.0):
        raise ValueError(f"a quantile statistic must be a number in [0, 1], not {statistic!r}")
    if seeds not in ("per_experiment", "common"):
        raise ValueError(f"seeds must be 'per_experiment' or 'common', not {seeds!r}")
    if isinstance(reps, bool) or not isinstance(reps, numbers.Integral) or reps < 1:
        raise ValueError(f"reps must be a whole number >= 1, not {reps!r}")
    if not outcomes:
        raise ValueError("give at least one outcome: a metric of summary.csv, e.g. 'unmet_demand_share'")

    names: dict = {}
    unc = _parameters(ema, uncertainties, names)
    lev = _parameters(ema, levers, names)
    if isinstance(outcomes, Mapping):
        metrics = dict(outcomes)
    else:
        metrics = {_identifier(m): m for m in outcomes}
    for n in metrics:
        if n in names:
            raise ValueError(f"the outcome name {n!r} is also a parameter's name")

    # Refuse unknown keys now, not in the first experiment: every key at a value of its range.
    probe = {}
    for p in unc + lev:
        lo = getattr(p, "lower_bound", None)
        probe[names[p.name]] = lo if lo is not None else p.categories[0].value
    scenario.with_values(probe)

    def function(**experiment):
        values = {names[k]: v for k, v in experiment.items() if k in names}
        s = scenario.with_values(values)
        run_seed = seed if seeds == "common" else experiment_seed(seed, values)
        results = s.run(reps=int(reps), seed=run_seed, threads=threads)
        summary = results.summary()
        return {n: _statistic(summary, results.replications, m, statistic) for n, m in metrics.items()}

    m = ema.Model(name, function=function)
    m.uncertainties = unc
    m.levers = lev
    m.outcomes = [ema.ScalarOutcome(n) for n in metrics]
    m.chokepoint_names = {**names, **metrics}
    return m

"""The EMA Workbench adapter: a model that perform_experiments runs, deterministically."""

import numpy as np
import pytest

import chokepoint as ck

ema_workbench = pytest.importorskip("ema_workbench")

SCENARIO = "scenarios/list_expansion_2025_10.toml"
KEY = "shock.april_regime.approval.us.default"


def make(root, **kw):
    return ck.ema.model(
        ck.Scenario.load(root / SCENARIO),
        uncertainties={KEY: (0.2, 0.9)},
        outcomes=["unmet_demand_share", "peak_price_ratio/dy"],
        reps=2,
        **kw,
    )


def test_an_ema_model_runs_four_experiments_deterministically(root):
    from ema_workbench import perform_experiments

    model = make(root)
    assert model.chokepoint_names["peak_price_ratio_dy"] == "peak_price_ratio/dy"
    experiments, outcomes = perform_experiments(model, 4)
    assert len(experiments) == 4
    for name in ("unmet_demand_share", "peak_price_ratio_dy"):
        assert outcomes[name].shape == (4,)
        assert np.isfinite(outcomes[name]).all()
    # Each outcome is the mean over the replications of that experiment's run.
    values = {KEY: float(experiments[ck.ema._identifier(KEY)].iloc[0])}
    seed = ck.ema.experiment_seed(1, values)
    again = ck.Scenario.load(root / SCENARIO).with_values(values).run(reps=2, seed=seed)
    summary = again.summary().set_index("metric")
    assert outcomes["unmet_demand_share"][0] == summary.loc["unmet_demand_share", "mean"]


def test_model_refuses_unknown_keys_and_statistics_up_front(root):
    with pytest.raises(ck.ScenarioError, match="no_such"):
        ck.ema.model(ck.Scenario.load(root / SCENARIO), uncertainties={"shock.no_such.approval.us": (0, 1)},
                     outcomes=["unmet_demand_share"], reps=2)
    with pytest.raises(ValueError):
        make(root, statistic="median")
    with pytest.raises(ValueError):
        make(root, statistic=1.5)


def test_quantile_statistics(root):
    at = {ck.ema._identifier(KEY): 0.5}
    p95 = make(root, statistic="p95").function(**at)
    q = make(root, statistic=0.95).function(**at)
    assert np.isfinite(p95["unmet_demand_share"])
    assert q["unmet_demand_share"] == pytest.approx(p95["unmet_demand_share"], rel=1e-12)
    common = make(root, seeds="common", seed=9).function(**at)
    run = ck.Scenario.load(root / SCENARIO).with_values({KEY: 0.5}).run(reps=2, seed=9)
    assert common["peak_price_ratio_dy"] == run.summary().set_index("metric").loc["peak_price_ratio/dy", "mean"]

"""An EMA Workbench experiment and a PRIM analysis on a 2025 scenario (docs/python.md).

    pip install ./crates/python ema_workbench==2.5.3
    python examples/ema_prim.py                      # 40 experiments x 20 replications
    python examples/ema_prim.py --experiments 200 --reps 100

The scenario is the October 2025 list expansion on top of the April 2025 licensing regime (an
out-of-sample prediction: no 2025 outcome is used). Three uncertainties are varied: China's
approval odds for US buyers, the odds elsewhere, and the utilisation of China's mines. The
outcome is the mean share of magnet demand left unmet over each experiment's replications.
PRIM then looks for the box of uncertainties in which the worst quarter of experiments
concentrate, and prints it.
"""

import argparse
import sys
from pathlib import Path

import numpy as np

import chokepoint as ck

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "list_expansion_2025_10.toml"

UNCERTAINTIES = {
    "shock.april_regime.approval.us.default": (0.1, 0.9),
    "shock.april_regime.approval.default": (0.2, 0.95),
    "producer.china_mines.utilisation": (0.6, 1.0),
}
OUTCOME = "unmet_demand_share"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experiments", type=int, default=40)
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    from ema_workbench import perform_experiments
    from ema_workbench.analysis import prim

    scenario = ck.Scenario.load(SCENARIO)
    model = ck.ema.model(
        scenario,
        uncertainties=UNCERTAINTIES,
        outcomes=[OUTCOME, "peak_price_ratio/dy"],
        reps=args.reps,
        seed=args.seed,
    )
    print(f"{scenario.name}: {args.experiments} experiments x {args.reps} replications")
    experiments, outcomes = perform_experiments(model, args.experiments)

    y_all = outcomes[OUTCOME]
    print(f"{OUTCOME}: mean {y_all.mean():.4f}, min {y_all.min():.4f}, max {y_all.max():.4f}")
    threshold = np.percentile(y_all, 75)
    y = y_all >= threshold
    x = experiments[[p.name for p in model.uncertainties]]
    box = prim.Prim(x, y, threshold=0.5).find_box()
    if box is None:
        print("PRIM found no box")
        return 1
    print(f"\nPRIM box: experiments with {OUTCOME} >= {threshold:.4f} (the worst quarter)")
    print(box.peeling_trajectory.tail(3).to_string())
    box.inspect()
    names = model.chokepoint_names
    limits = box.box_lims[box._cur_box]
    print("\nBox limits (scenario keys):")
    for column in limits.columns:
        lo, hi = limits[column]
        print(f"  {names[column]}: {lo:.3f} .. {hi:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

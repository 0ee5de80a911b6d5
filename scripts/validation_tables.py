#!/usr/bin/env python3
"""Prints the markdown tables of docs/validation.md from the files examples/validation.sh writes
into docs/validation/ (backtest_2010.csv, summary_<scenario>.csv). Standard library only.

    python3 scripts/validation_tables.py backtest      # section 5
    python3 scripts/validation_tables.py predictions   # section 6
"""
import csv
import sys
from pathlib import Path

DIR = Path(__file__).resolve().parent.parent / "docs" / "validation"
SCENARIOS = ["china_licensing_2025_04", "list_expansion_2025_10", "truce_2025_11"]


def num(x: str) -> str:
    v = float(x)
    if abs(v) >= 100:
        return f"{v:,.0f}"
    if abs(v) >= 1:
        return f"{v:.2f}"
    return f"{v:.3f}"


def backtest() -> None:
    rows = list(csv.DictReader(open(DIR / "backtest_2010.csv")))
    print("| target | role | window | observed | model p5 | p50 | p95 | unit | in band | p50 within tol. |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        if r["role"] == "prediction":
            continue
        print(
            f"| `{r['target']}` | {r['role']} | {r['from']} – {r['to']} | {num(r['historical'])} | "
            f"{num(r['p5'])} | **{num(r['p50'])}** | {num(r['p95'])} | {r['unit']} | "
            f"{'yes' if r['inside_p5_p95'] == 'true' else 'no'} | "
            f"{'yes' if r['p50_within_tolerance'] == 'true' else 'no'} (±{float(r['tolerance']):.0%}) |"
        )
    fit = [r for r in rows if r["role"] == "fit"]
    hold = [r for r in rows if r["role"] == "holdout"]
    tol = lambda rs: sum(r["p50_within_tolerance"] == "true" for r in rs)
    band = lambda rs: sum(r["inside_p5_p95"] == "true" for r in rs)
    print()
    print(
        f"Fit: {tol(fit)} of {len(fit)} medians within tolerance, {band(fit)} observed values inside "
        f"the p5–p95 band. Holdout (never fitted): {tol(hold)} of {len(hold)} within tolerance, "
        f"{band(hold)} inside the band."
    )


def predictions() -> None:
    summaries = {s: {r["metric"]: r for r in csv.DictReader(open(DIR / f"summary_{s}.csv"))} for s in SCENARIOS}
    names = [m for m in summaries[SCENARIOS[0]] if m.startswith("target/")]
    headline = [
        ("weeks_to_first_halt", "weeks from the first policy shock to the first halt of a firm abroad"),
        ("peak_halted_share", "largest share of importing regions' firms halted in a week"),
        ("firm_weeks_halted", "firm-weeks halted abroad, five years"),
        ("lost_output_usd", "value added lost, USD bn, five years"),
        ("unmet_magnet_t", "tonnes of magnet behind lost output, five years"),
        ("licence_approval_rate", "approved over decided applications"),
        ("mean_licence_delay_weeks", "application to decision, weeks"),
        ("peak_price_ratio/dy", "peak world Dy price ratio"),
        ("peak_price_ratio/ndfeb", "peak world NdFeB price ratio"),
    ]
    head = " | ".join(SCENARIOS)
    print(f"| prediction | {head} |")
    print("| --- |" + " --- |" * len(SCENARIOS))
    for m in names:
        cells = []
        for s in SCENARIOS:
            r = summaries[s][m]
            cells.append(f"{num(r['p50'])} ({num(r['p5'])}–{num(r['p95'])})")
        print(f"| `{m[len('target/'):]}` | " + " | ".join(cells) + " |")
    for m, what in headline:
        cells = []
        scale = 1e9 if m == "lost_output_usd" else 1.0
        for s in SCENARIOS:
            r = summaries[s][m]
            q = [str(float(r[k]) / scale) for k in ("p50", "p5", "p95")]
            cells.append(f"{num(q[0])} ({num(q[1])}–{num(q[2])})")
        print(f"| {what} (`{m}`) | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    {"backtest": backtest, "predictions": predictions}[sys.argv[1]]()

#!/usr/bin/env python3
"""Markdown table of headline outputs (p5 / p50 / p95) from two `chokepoint run` folders.

    scripts/headline_table.py BEFORE_DIR AFTER_DIR

Used for the before/after tables in docs/model.md; metrics missing on one side show "—".
"""
import csv
import sys

METRICS = [
    ("lost_output_usd", "lost output, USD", 1e9, "bn"),
    ("unmet_demand_share", "unmet share of demand", 1, ""),
    ("weeks_to_first_halt", "weeks to first halt", 1, ""),
    ("peak_halted_share", "peak halted share", 1, ""),
    ("mean_licence_delay_weeks", "mean licence delay, weeks", 1, ""),
    ("licence_approval_rate", "licence approval rate", 1, ""),
    ("exports_t", "exports of controlling exporter, kt", 1e3, ""),
    ("peak_price_ratio/dy", "peak Dy price ratio", 1, ""),
    ("peak_price_ratio/ndfeb", "peak NdFeB price ratio", 1, ""),
    ("peak_price_ratio/smco", "peak SmCo price ratio", 1, ""),
]


def read(folder):
    with open(f"{folder}/summary.csv", newline="") as f:
        return {r["metric"]: r for r in csv.DictReader(f)}


def cell(rows, key, scale):
    r = rows.get(key)
    if r is None:
        return "—"
    return " / ".join(f"{float(r[q]) / scale:.3g}" for q in ("p5", "p50", "p95"))


def main():
    before, after = read(sys.argv[1]), read(sys.argv[2])
    print("| output (p5 / p50 / p95) | before | after |")
    print("| --- | --- | --- |")
    for key, label, scale, _ in METRICS:
        print(f"| {label} | {cell(before, key, scale)} | {cell(after, key, scale)} |")


if __name__ == "__main__":
    main()

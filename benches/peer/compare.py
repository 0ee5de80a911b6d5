"""Runs the Rust model and the Python peer on the same scenario, on the same machine, one thread
each; checks that their headline metrics agree within Monte Carlo error and prints the speed
ratio. Exits 1 on disagreement.

    python3 benches/peer/compare.py [--scenario FILE] [--reps N] [--peer-reps M] [--seed S]

Agreement: for each metric, |mean_rust - mean_peer| <= 3 * se_diff + tol, with se_diff the larger
of Welch's sqrt(se_rust^2 + se_peer^2) (se = sd / sqrt(n)) and the pooled-variance standard error
(`diff_se`), and tol the metric's documented tolerance (README.md). The two runs are
independent: the peer's parameter draws come from `dump_params` with seed S + 1, its dynamics
from NumPy's PCG64; the Rust run uses the engine's streams of seed S.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
DEFAULT_SCENARIO = ROOT / "benches" / "workloads" / "small.toml"
FALLBACK_SCENARIO = ROOT / "scenarios" / "list_expansion_2025_10.toml"

# Headline metrics; the controlled items' peak price ratios are added from the scenario.
HEADLINE = [
    "unmet_magnet_t",
    "unmet_material_t",
    "unmet_demand_share",
    "any_halt",
    "weeks_to_first_halt",
    "peak_halted_share",
    "firm_weeks_halted",
    "licence_approval_rate",
    "mean_licence_delay_weeks",
    "licences_decided",
    "stockpile_released_t",
    "stockpile_cost_usd",
    "exports_t",
]
# Extra absolute tolerance where a mechanism's discretisation differs (README.md explains each).
TOLERANCE = {}


def timed(cmd, **kw):
    """Runs `cmd`; returns (wall seconds, CPU seconds of the child: user + system)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, **kw)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return rows


def stats(values):
    n = len(values)
    mean = sum(values) / n
    var = sum((v - mean) ** 2 for v in values) / (n - 1) if n > 1 else 0.0
    return mean, math.sqrt(var), math.sqrt(var / n)


def diff_se(na, sda, nb, sdb):
    """Standard error of a difference of two means: the larger of Welch's (each side its own
    variance) and the pooled one (both sides one distribution, the null hypothesis). Welch's
    alone reads a side with no spread in its sample as exact: a capped metric (a peak price at
    the 25x cap in all of the peer's 60 replications while the Rust model's 300 show 7 % below
    it) then gets a bound from the other side only, and a 1-in-100 sample fails the check."""
    welch = math.hypot(sda / math.sqrt(na), sdb / math.sqrt(nb))
    if na + nb <= 2:
        return welch
    pooled = math.sqrt(((na - 1) * sda ** 2 + (nb - 1) * sdb ** 2) / (na + nb - 2))
    return max(welch, pooled * math.sqrt(1.0 / na + 1.0 / nb))


def controlled_items(params_json):
    import json

    doc = json.loads(Path(params_json).read_text(encoding="utf-8"))
    p = doc["central"]
    names = [it["name"] for it in p["items"]]
    ctl = set()
    for a in p["authorities"]:
        ctl.update(a["controlled"])
    for e in p["events"]:
        for s in e["in_force"]["authorities"]:
            ctl.update(i for i, c in enumerate(s["controlled"]) if c)
    return [names[i] for i in sorted(ctl)]


def main():
    ap = argparse.ArgumentParser(description="Rust model vs Python peer, side by side")
    ap.add_argument("--scenario", default=None)
    ap.add_argument("--reps", type=int, default=400, help="Rust replications")
    ap.add_argument("--peer-reps", type=int, default=200, help="peer replications")
    ap.add_argument("--seed", type=int, default=2025)
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--work", default=None, help="folder for the runs (default: a temporary one)")
    ap.add_argument("--all", action="store_true", help="check every metric both write, not only the headline")
    ap.add_argument("--no-run", action="store_true", help="compare the runs already in --work")
    args = ap.parse_args()
    scenario = Path(args.scenario) if args.scenario else (
        DEFAULT_SCENARIO if DEFAULT_SCENARIO.exists() else FALLBACK_SCENARIO)
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    if not args.no_build and not args.no_run:
        subprocess.run(["cargo", "build", "--release", "--bin", "chokepoint", "--example", "dump_params"],
                       cwd=ROOT, check=True)
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="peer-"))
    work.mkdir(parents=True, exist_ok=True)
    params = work / "params.json"
    rust_out = work / "rust"
    peer_csv = work / "peer.csv"
    if args.no_run:
        return check(args, scenario, work, params, rust_out, peer_csv, None)
    subprocess.run([str(target / "release" / "examples" / "dump_params"), str(scenario), str(params),
                    str(args.peer_reps), str(args.seed + 1)], check=True)
    rust_s, rust_cpu = timed([str(target / "release" / "chokepoint"), "run", str(scenario), "--reps",
                              str(args.reps), "--seed", str(args.seed), "--threads", "1", "--out", str(rust_out),
                              "--force", "--quiet"], stdout=subprocess.DEVNULL)
    peer_s, peer_cpu = timed([sys.executable, str(HERE / "chokepoint_peer.py"), str(params), "--reps",
                              str(args.peer_reps), "--seed", str(args.seed), "--out", str(peer_csv)],
                             env={**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
                                  "MKL_NUM_THREADS": "1"})
    return check(args, scenario, work, params, rust_out, peer_csv, (rust_s, rust_cpu, peer_s, peer_cpu))


def check(args, scenario, work, params, rust_out, peer_csv, times):
    rust = read_csv(rust_out / "replications.csv")
    peer = read_csv(peer_csv)
    metrics = HEADLINE + [f"peak_price_ratio/{n}" for n in controlled_items(params)]
    if args.all:
        metrics = [m for m in peer[0] if m in rust[0] and m != "rep"]
    print(f"scenario {scenario.name}: Rust {len(rust)} replications, peer {len(peer)} (work folder {work})")
    print(f"{'metric':34} {'rust mean':>12} {'± se':>9} {'peer mean':>12} {'± se':>9} {'|Δ|/bound':>9}  ok")
    failed = []
    for m in metrics:
        a = [float(r[m]) for r in rust]
        b = [float(r[m]) for r in peer]
        ma, da, sa = stats(a)
        mb, db, sb = stats(b)
        bound = 3.0 * diff_se(len(a), da, len(b), db) + TOLERANCE.get(m, 0.0) \
            + 1e-9 * max(abs(ma), abs(mb), 1.0)
        ratio = abs(ma - mb) / bound
        ok = ratio <= 1.0
        if not ok:
            failed.append(m)
        print(f"{m:34} {ma:12.4g} {sa:9.2g} {mb:12.4g} {sb:9.2g} {ratio:9.2f}  {'yes' if ok else 'NO'}")
    if times is not None:
        speed(len(rust), len(peer), *times)
    if failed:
        print(f"DISAGREE on {len(failed)} metric(s): {', '.join(failed)}")
        return 1
    print(f"agree: every {'' if args.all else 'headline '}metric within its Monte Carlo bound")
    return 0


def speed(n_rust, n_peer, rust_s, rust_cpu, peer_s, peer_cpu):
    rust_rate, peer_rate = n_rust / rust_s, n_peer / peer_s
    rust_cpu_rate, peer_cpu_rate = n_rust / rust_cpu, n_peer / peer_cpu
    print("speed, 1 thread each, whole command (start-up, reading and writing included), same machine:")
    print(f"  wall: Rust {rust_rate:.1f} replications/s ({rust_s:.2f} s), peer {peer_rate:.3f} replications/s "
          f"({peer_s:.2f} s); Rust/peer = {rust_rate / peer_rate:.0f}x")
    print(f"  CPU (user + system): Rust {rust_cpu_rate:.1f} replications/s ({rust_cpu:.2f} s), peer "
          f"{peer_cpu_rate:.3f} replications/s ({peer_cpu:.2f} s); Rust/peer = {rust_cpu_rate / peer_cpu_rate:.0f}x")


if __name__ == "__main__":
    sys.exit(main())

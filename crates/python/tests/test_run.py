"""Runs, comparisons and sweeps from Python give the CLI's files and numbers."""

import json
import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

import chokepoint as ck

SCENARIO = "scenarios/list_expansion_2025_10.toml"
STRATEGIES = "scenarios/stockpile_strategies.toml"
KEY = "shock.april_regime.approval.us.default"


def cli_run(cli, root, out, *extra):
    cmd = [cli, "run", str(root / SCENARIO), "--out", str(out), "--quiet", *extra]
    subprocess.run(cmd, check=True, capture_output=True, cwd=root)
    return out


def test_run_matches_the_cli_at_the_same_seed(root, cli, tmp_path):
    s = ck.Scenario.load(root / SCENARIO)
    r = s.run(reps=20, seed=7)
    theirs = cli_run(cli, root, tmp_path / "cli", "--reps", "20", "--seed", "7")
    pd.testing.assert_frame_equal(r.summary(), ck.Results(theirs).summary(), check_exact=True)
    assert (r.folder / "summary.csv").read_bytes() == (theirs / "summary.csv").read_bytes()
    assert (r.folder / "replications.csv").read_bytes() == (theirs / "replications.csv").read_bytes()
    assert (r.folder / "timeseries.csv").read_bytes() == (theirs / "timeseries.csv").read_bytes()
    assert r.manifest["status"] == "complete"
    assert len(r.replications()) == 20
    assert set(r.timeseries().columns) >= {"step", "date", "variable", "mean", "p50"}


def test_values_match_the_clis_set(root, cli, tmp_path):
    s = ck.Scenario.load(root / SCENARIO).with_values({KEY: 0.5})
    r = s.run(reps=6, seed=3, threads=1, out=tmp_path / "py")
    theirs = cli_run(cli, root, tmp_path / "cli", "--reps", "6", "--seed", "3", "--set", f"{KEY}=0.5")
    assert (r.folder / "summary.csv").read_bytes() == (theirs / "summary.csv").read_bytes()
    base = ck.Scenario.load(root / SCENARIO).run(reps=6, seed=3)
    assert not base.summary().equals(r.summary()), "the value set must change the results"


def test_threads_do_not_change_results(root):
    s = ck.Scenario.load(root / SCENARIO)
    one = s.run(reps=6, seed=11, threads=1).replications()
    two = s.run(reps=6, seed=11, threads=2).replications()
    pd.testing.assert_frame_equal(one, two, check_exact=True)


def test_a_temporary_folder_is_removed_with_its_results(root):
    r = ck.Scenario.load(root / SCENARIO).run(reps=2, seed=1)
    folder = r.folder
    assert folder.is_dir()
    del r
    import gc

    gc.collect()
    assert not folder.exists()


def test_bad_arguments_raise_before_running(root, tmp_path):
    s = ck.Scenario.load(root / SCENARIO)
    with pytest.raises(ValueError):
        s.run(reps=0)
    with pytest.raises(ck.ChokepointError, match="1024"):
        s.run(reps=2, threads=100000)
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x.txt").write_text("mine")
    with pytest.raises(ck.ChokepointError) as e:
        s.run(reps=2, out=tmp_path / "full")
    assert not isinstance(e.value, ck.ScenarioError)
    assert (tmp_path / "full" / "x.txt").read_text() == "mine"


def test_compare_gives_the_clis_tables(root, cli, tmp_path):
    scenarios = [root / SCENARIO, root / "scenarios/china_licensing_2025_04.toml"]
    r = ck.compare(scenarios, root / STRATEGIES, reps=4, seed=2, out=tmp_path / "py")
    cmp = r.comparison()
    assert {"scenario", "strategy", "metric", "mean", "diff_vs_baseline"} <= set(cmp.columns)
    assert set(cmp["scenario"]) == {"list_expansion_2025_10", "china_licensing_2025_04"}
    bench = r.benchmark()
    assert len(bench) == cmp["strategy"].nunique()
    cmd = [cli, "compare", *map(str, scenarios), "--strategies", str(root / STRATEGIES),
           "--reps", "4", "--seed", "2", "--out", str(tmp_path / "cli"), "--quiet"]
    subprocess.run(cmd, check=True, capture_output=True, cwd=root)
    for name in ("comparison.csv", "benchmark.csv"):
        assert (r.folder / name).read_bytes() == (tmp_path / "cli" / name).read_bytes(), name


def test_sweep_gives_one_row_per_point(root, cli, tmp_path):
    s = ck.Scenario.load(root / SCENARIO)
    r = ck.sweep(s, {KEY: (0.2, 0.8)}, "lhs:3", reps=3, seed=5, out=tmp_path / "py")
    table = r.sweep()
    assert len(table) == 3
    assert table[KEY].between(0.2, 0.8).all()
    cmd = [cli, "sweep", str(root / SCENARIO), "--param", f"{KEY}=0.2:0.8", "--design", "lhs:3",
           "--reps", "3", "--seed", "5", "--out", str(tmp_path / "cli"), "--quiet"]
    subprocess.run(cmd, check=True, capture_output=True, cwd=root)
    assert (r.folder / "sweep.csv").read_bytes() == (tmp_path / "cli" / "sweep.csv").read_bytes()
    with pytest.raises(ck.ChokepointError, match="design"):
        ck.sweep(s, {KEY: (0.2, 0.8)}, "lhs", reps=3)
    with pytest.raises(ck.ChokepointError, match="LO <= HI"):
        ck.sweep(s, {KEY: (0.8, 0.2)}, "lhs:3", reps=3)


CHILD = """
import sys, chokepoint as ck
s = ck.Scenario.load(sys.argv[1])
print("started", flush=True)
try:
    s.run(reps=100000, seed=1, threads=1, out=sys.argv[2], batch=4)
except KeyboardInterrupt as e:
    print("interrupted:", e, flush=True)
    sys.exit(42)
"""


def test_ctrl_c_stops_a_run_cleanly(root, tmp_path):
    out = tmp_path / "stopped"
    p = subprocess.Popen([sys.executable, "-c", CHILD, str(root / SCENARIO), str(out)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "started"
    manifest = out / "manifest.json"
    deadline = time.time() + 60
    while not manifest.exists() and time.time() < deadline:
        time.sleep(0.1)
    time.sleep(1.0)
    p.send_signal(signal.SIGINT)
    stdout, stderr = p.communicate(timeout=120)
    assert p.returncode == 42, (stdout, stderr)
    assert "finished work is kept" in stdout
    assert json.loads(manifest.read_text())["status"] == "interrupted"


@pytest.mark.parametrize("table", ["summary", "timeseries", "replications"])
def test_parquet_and_csv_hold_the_same_values(root, tmp_path, table):
    both = ck.Scenario.load(root / SCENARIO).run(reps=6, seed=5, out=tmp_path / "both", format="both")
    assert both.manifest["format"] == "both"
    from_parquet = both.table(table)
    from_csv = both.table(table + ".csv")
    assert (both.folder / f"{table}.parquet").is_file()
    # Repeated names (timeseries' `variable`) are dictionary-encoded in Parquet: categoricals.
    categorical = [c for c in from_parquet.columns if isinstance(from_parquet[c].dtype, pd.CategoricalDtype)]
    assert table != "timeseries" or "variable" in categorical
    from_parquet = from_parquet.astype({c: object for c in categorical})
    pd.testing.assert_frame_equal(from_parquet, from_csv, check_dtype=False, check_exact=True)


def test_a_parquet_only_run_reads_like_a_csv_run(root, tmp_path):
    s = ck.Scenario.load(root / SCENARIO)
    parquet = s.run(reps=6, seed=5, out=tmp_path / "pq", format="parquet")
    csv = s.run(reps=6, seed=5, out=tmp_path / "csv")
    assert not (parquet.folder / "summary.csv").exists()
    assert parquet.manifest["format"] == "parquet"
    pd.testing.assert_frame_equal(parquet.summary(), csv.summary(), check_dtype=False, check_exact=True)
    with pytest.raises(ck.ChokepointError, match="summary.parquet"):
        parquet.table("summary.csv")


def test_a_bad_format_is_refused_before_running(root):
    with pytest.raises(ValueError, match="csv, parquet, both"):
        ck.Scenario.load(root / SCENARIO).run(reps=2, format="xlsx")

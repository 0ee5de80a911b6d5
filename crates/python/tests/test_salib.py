"""Chokepoint's Sobol estimators against SALib's on the same model outputs.

`chokepoint sensitivity --method sobol` computes first-order (Saltelli 2010) and total (Jansen
1999) indices in Rust (crate chokepoint-gsa). SALib (`SALib.analyze.sobol`, pinned with the EMA
Workbench) implements the same estimators. Fed the very outputs of a chokepoint run, rearranged
into SALib's layout, the two must agree exactly up to two documented conventions:
- chokepoint divides by the sample variance V of f(A) and f(B) (2N - 1 in the denominator),
  SALib by the population variance Vp (2N): a factor (2N - 1) / 2N on every index;
- the first-order estimator mean(f(B) (f(A_B^i) - f(A))) is not shift-invariant: chokepoint
  centres f on the mean of f(A) and f(B), SALib (1.5+) standardises by the mean of all N (d + 2)
  outputs, which adds (m_AB - m_all) mean(f(A_B^i) - f(A)) / Vp to SALib's S1. The total index
  (Jansen) is shift-invariant and needs only the factor.
"""

import subprocess

import numpy as np
import pandas as pd
import pytest

SCENARIO = "scenarios/china_licensing_2025_04.toml"
N = 16


@pytest.fixture(scope="module")
def sobol_run(root, cli, tmp_path_factory):
    out = tmp_path_factory.mktemp("sobol")
    cmd = [cli, "sensitivity", str(root / SCENARIO), "--method", "sobol", "--n", str(N),
           "--reps", "2", "--seed", "3", "--quiet", "--force", "--out", str(out)]
    subprocess.run(cmd, check=True, capture_output=True, cwd=root)
    return pd.read_csv(out / "sweep.csv").sort_values("point"), pd.read_csv(out / "sensitivity.csv")


@pytest.mark.parametrize("metric", ["unmet_magnet_t", "lost_output_usd"])
def test_indices_equal_salibs_on_the_same_outputs(sobol_run, metric):
    from SALib.analyze import sobol

    points, table = sobol_run
    params = list(table[table.metric == metric].sort_values("param")["param"])
    d = len(params)
    assert len(points) == N * (d + 2), "Saltelli design: N x (d + 2) points"
    x = points[params].to_numpy()
    a, b = x[:N], x[N:2 * N]
    for i in range(d):  # blocks A, B, A_B^1..A_B^d: A with column i from B
        expected = a.copy()
        expected[:, i] = b[:, i]
        assert np.array_equal(x[(2 + i) * N:(3 + i) * N], expected), params[i]
    y = points[metric + "_mean"].to_numpy()
    # SALib's layout without second order: per base row j, [A_j, A_B^1_j .. A_B^d_j, B_j].
    salib_y = np.concatenate([[y[j], *(y[(2 + i) * N + j] for i in range(d)), y[N + j]] for j in range(N)])
    problem = {"num_vars": d, "names": params, "bounds": [[0.0, 1.0]] * d}
    theirs = sobol.analyze(problem, salib_y, calc_second_order=False, print_to_console=False, seed=1)
    ours = table[table.metric == metric].set_index("param").loc[params]
    factor = (2 * N - 1) / (2 * N)
    ya, yb = y[:N], y[N:2 * N]
    m_ab, m_all = np.concatenate([ya, yb]).mean(), y.mean()
    vp = np.var(np.concatenate([ya, yb]))
    centring = np.array([(m_ab - m_all) * (y[(2 + i) * N:(3 + i) * N] - ya).mean() / vp for i in range(d)])
    np.testing.assert_allclose(ours["s1"].to_numpy(), (theirs["S1"] - centring) * factor, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ours["st"].to_numpy(), theirs["ST"] * factor, rtol=1e-9, atol=1e-12)
    assert ours["st"].max() > 0.1, "a flat output would make the comparison empty"

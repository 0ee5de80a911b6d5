"""Scenario.load, with_values, timeline, and errors worded as the CLI words them."""

import shutil
import subprocess

import pytest

import chokepoint as ck

SCENARIO = "scenarios/list_expansion_2025_10.toml"
KEY = "shock.april_regime.approval.us.default"


def test_load_gives_name_description_and_timeline(root):
    s = ck.Scenario.load(root / SCENARIO)
    assert s.name == "list_expansion_2025_10"
    assert "October 2025" in s.description
    t = s.timeline()
    assert list(t.columns) == ["date", "step", "shock", "what", "whom", "uncertain"]
    assert {"april_regime", "no57_expansion", "no61_extraterritorial"} <= set(t["shock"])
    assert str(t["date"].dtype).startswith("datetime64")


def test_with_values_returns_a_new_scenario_and_keeps_the_old(root):
    s = ck.Scenario.load(root / SCENARIO)
    v = s.with_values({KEY: 0.5})
    assert v.values == {KEY: 0.5}
    assert s.values == {}
    w = v.with_values({KEY: 0.25, "producer.china_mines.utilisation": 0.8})
    assert w.values == {KEY: 0.25, "producer.china_mines.utilisation": 0.8}


def test_an_unknown_key_raises_a_scenario_error_naming_it(root):
    s = ck.Scenario.load(root / SCENARIO)
    with pytest.raises(ck.ScenarioError) as e:
        s.with_values({"shock.no_such_shock.approval.us": 0.5})
    assert "no_such_shock" in str(e.value)
    assert isinstance(e.value, ck.ChokepointError)


def test_a_value_out_of_range_names_the_key_as_the_cli_does(root, cli):
    s = ck.Scenario.load(root / SCENARIO)
    with pytest.raises(ck.ScenarioError) as e:
        s.with_values({KEY: 1.5})
    cmd = [cli, "check", str(root / SCENARIO), "--set", f"{KEY}=1.5"]
    p = subprocess.run(cmd, capture_output=True, text=True)
    assert p.returncode == 2
    assert p.stderr.strip() == "error: " + str(e.value).strip()
    assert "approval" in str(e.value)


def test_a_bad_file_raises_with_file_line_and_key(root, cli, tmp_path):
    shutil.copytree(root / "scenarios/common", tmp_path / "common")
    bad = tmp_path / "bad.toml"
    text = (root / "scenarios/baseline_2024.toml").read_text()
    # An unknown key on a known line: the message must point at it.
    lines = text.splitlines()
    at = next(i for i, l in enumerate(lines) if l.strip() == "[scenario]")
    lines.insert(at + 1, "nmae = \"typo\"")
    bad.write_text("\n".join(lines) + "\n")
    with pytest.raises(ck.ScenarioError) as e:
        ck.Scenario.load(bad)
    message = str(e.value)
    assert f"{bad}:{at + 2}:" in message, message
    assert "nmae" in message
    p = subprocess.run([cli, "check", str(bad)], capture_output=True, text=True)
    assert p.stderr.strip() == "error: " + message.strip()


def test_a_missing_file_and_a_bad_value_type_are_clear(root, tmp_path):
    with pytest.raises(ck.ScenarioError) as e:
        ck.Scenario.load(tmp_path / "none.toml")
    assert "none.toml" in str(e.value)
    s = ck.Scenario.load(root / SCENARIO)
    with pytest.raises(ValueError):
        s.with_values({KEY: float("nan")})
    with pytest.raises(TypeError):
        s.with_values({KEY: object()})

"""Shared fixtures: the repository's root and the `chokepoint` binary the results are checked against."""

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def cli() -> str:
    """The CLI: $CHOKEPOINT, else a build under $CARGO_TARGET_DIR or target/ (release first)."""
    given = os.environ.get("CHOKEPOINT")
    if given:
        return given
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    for profile in ("release", "debug"):
        exe = target / profile / "chokepoint"
        if exe.is_file():
            return str(exe)
    found = shutil.which("chokepoint")
    if found:
        return found
    pytest.fail("no chokepoint binary: build it (cargo build --release) or set CHOKEPOINT=/path/to/chokepoint")

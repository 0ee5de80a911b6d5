"""Checks of the peer itself: `python3 -m unittest benches/peer/test_peer.py` (after
`cargo build --release --example dump_params`; skipped when the example is not built)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from chokepoint_peer import Sim  # noqa: E402
from peer_params import Params, load  # noqa: E402

ROOT = HERE.parent.parent
SCENARIO = ROOT / "scenarios" / "list_expansion_2025_10.toml"
DUMP = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "release" / "examples" / "dump_params"


def total_stock(sim):
    return sim.warehouse.sum(axis=0) + sim.held.sum(axis=0) + sim.ring.sum(axis=(0, 2))


@unittest.skipUnless(DUMP.exists(), f"{DUMP} not built")
class PeerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        path = Path(cls.tmp.name) / "params.json"
        subprocess.run([str(DUMP), str(SCENARIO), str(path), "2", "1"], check=True)
        cls.doc = load(path)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_material_balance_every_step(self):
        """Stock of every item (warehouses, buyers, cargo at sea) changes by produced − used."""
        p = Params(self.doc["central"], self.doc["replications"][0])
        sim = Sim(p, np.random.SeedSequence([1, 0]))
        for step in range(p.cal.warmup_steps + 60):
            before = total_stock(sim)
            active = step >= p.cal.warmup_steps
            sim.advance(active)
            if active:
                sim.step += 1
            change = total_stock(sim) - before
            flow = sim.produced.sum(axis=0) - sim.consumed.sum(axis=0)
            np.testing.assert_allclose(change, flow, rtol=1e-9, atol=1e-6 * max(before.max(), 1.0))

    def test_same_seed_same_run_other_seed_other_run(self):
        p = Params(self.doc["central"], self.doc["replications"][1])
        a = Sim(p, np.random.SeedSequence([7, 1])).run()
        b = Sim(Params(self.doc["central"], self.doc["replications"][1]), np.random.SeedSequence([7, 1])).run()
        c = Sim(p, np.random.SeedSequence([8, 1])).run()
        self.assertEqual(a, b)
        self.assertNotEqual(a["unmet_magnet_t"], c["unmet_magnet_t"])

    def test_sampled_values_are_restored(self):
        """Applying a replication's sampled values leaves the central parameters as they were."""
        import json

        before = json.dumps(self.doc["central"], sort_keys=True)
        Params(self.doc["central"], self.doc["replications"][0])
        self.assertEqual(before, json.dumps(self.doc["central"], sort_keys=True))
        self.assertGreater(len(self.doc["replications"][0]), 0)


if __name__ == "__main__":
    unittest.main()

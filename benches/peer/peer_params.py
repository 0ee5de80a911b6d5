"""Resolved scenario parameters (the JSON `examples/dump_params.rs` writes) as NumPy tables.

`load(path)` reads the dump; `Params(central, changes)` applies one replication's sampled
values to the central parameters and compiles every table the peer model reads. Nothing here
is random: the Rust scenario crate has already drawn the replication's uncertain numbers.
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np

DAYS_PER_WEEK = 7.0
DAYS_PER_YEAR = 365.25
KG_PER_T = 1000.0


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def _set(doc, path, value):
    for k in path[:-1]:
        doc = doc[k]
    old = doc[path[-1]]
    doc[path[-1]] = value
    return old


class Calendar:
    def __init__(self, c):
        self.start = dt.date.fromisoformat(c["start"])
        self.step_days = c["step_days"]
        self.n_steps = c["n_steps"]
        self.warmup_steps = c.get("warmup_steps", 0)
        self.step_weeks = self.step_days / DAYS_PER_WEEK
        self.step_years = self.step_days / DAYS_PER_YEAR

    def date_of(self, step):
        return self.start + dt.timedelta(days=step * self.step_days)

    def starts_new_year(self, step):
        return step > 0 and self.date_of(step).year != self.date_of(step - 1).year

    def first_year_share(self):
        y = self.start.year
        total = (dt.date(y + 1, 1, 1) - dt.date(y, 1, 1)).days
        return (dt.date(y + 1, 1, 1) - self.start).days / total


class Policy:
    """One export authority's policy in force (a `PolicyState`), as arrays."""

    def __init__(self, s, ni, nr, items):
        self.controlled = np.array(s["controlled"], dtype=bool)
        self.embargo = np.array(s["embargo"], dtype=bool).reshape(nr, ni)
        self.general = np.array(s["general_licence"], dtype=bool).reshape(nr, ni)
        self.quota_annual = [q for q in s["quota_annual_t"]]
        self.quota_batches = [[(b["day_of_year"], b["share"]) for b in bs] for bs in s["quota_batches"]]
        r = s["regime"]
        self.review_capacity = r["review_capacity_per_step"]
        self.lead = (r["lead_time"]["median_steps"], r["lead_time"]["sigma"], r["lead_time"]["max_steps"])
        self.approval = np.array(r["approval"], dtype=float)
        self.validity = np.array(r["validity_steps"], dtype=np.int64)
        self.reapply_delay = r["reapply_delay_steps"]
        self.renewal_margin = r["renewal_margin_steps"]
        self.cover_factor = r["quantity_cover_factor"]
        self.premium = np.array(s["announcement_premium"], dtype=float)
        ext = s["extraterritorial_share"]
        # Items whose controlled-material content reaches the extraterritorial share.
        self.reexport = np.zeros(ni, dtype=bool)
        if ext is not None:
            for k, it in enumerate(items):
                if it["bom"]:
                    kg = sum(l["kg_per_t"] for l in it["bom"] if self.controlled[l["material"]])
                    self.reexport[k] = kg > 0.0 and kg / KG_PER_T >= ext


def baseline_state(a, ni, nr):
    """`AuthorityParams::baseline_policy` as the JSON a `PolicyState` serialises to."""
    controlled = [False] * ni
    for i in a["controlled"]:
        controlled[i] = True
    embargo = [False] * (nr * ni)
    for e in a["embargoes"]:
        embargo[e["destination"] * ni + e["item"]] = True
    general = [False] * (nr * ni)
    for g in a["general_licences"]:
        general[g["destination"] * ni + g["item"]] = True
    return {
        "controlled": controlled,
        "embargo": embargo,
        "quota_annual_t": [q["annual_t"] for q in a["quotas"]],
        "quota_batches": [q["batches"] for q in a["quotas"]],
        "regime": a["regime"],
        "extraterritorial_share": a["extraterritorial_share"],
        "general_licence": general,
        "announcement_premium": [0.0] * ni,
    }


class Params:
    """One replication's parameters, compiled to arrays."""

    def __init__(self, central, changes=()):
        olds = [(path, _set(central, path, value)) for path, value in changes]
        try:
            self._compile(central)
        finally:
            for path, old in reversed(olds):
                _set(central, path, old)

    def _compile(self, p):
        self.cal = Calendar(p["calendar"])
        items, regions, sectors = p["items"], p["regions"], p["sectors"]
        ni, nr, ns = len(items), len(regions), len(sectors)
        self.ni, self.nr, self.ns = ni, nr, ns
        self.item_names = [it["name"] for it in items]
        self.item_kind = [it["kind"] for it in items]
        self.base_price = np.array([it["base_price_usd_per_kg"] for it in items])
        pp = [it["price"] for it in items]
        self.p_el = np.array([x["elasticity"] for x in pp])
        self.p_rev = np.array([x["reversion_per_step"] for x in pp])
        self.p_lo = np.log([x["min_ratio"] for x in pp])
        self.p_hi = np.log([x["max_ratio"] for x in pp])
        # Buyers: manufacturers, then producers, then stockpiles (as crates/core/src/buyers.rs).
        mf, pr, sp = p["manufacturers"], p["producers"], p["stockpiles"]
        nm, npr, nsp = len(mf), len(pr), len(sp)
        self.nm, self.npr, self.nsp = nm, npr, nsp
        self.p0, self.s0 = nm, nm + npr
        nb = nm + npr + nsp
        self.nb = nb
        self.breg = np.array([m["region"] for m in mf] + [q["region"] for q in pr] + [s["region"] for s in sp], dtype=np.int64)
        self.bsec = np.array([m["sector"] for m in mf] + [q["end_use"] for q in pr] + [s["end_use"] for s in sp], dtype=np.int64)
        self.is_sp = np.zeros(nb, dtype=bool)
        self.is_sp[self.s0:] = True
        om = np.zeros((nb, ni), dtype=bool)
        # Manufacturers: dense (firm, item) bills of materials.
        self.m_base = np.zeros((nm, ni))
        for k, m in enumerate(mf):
            for d in m["demand"]:
                assert not om[k, d["item"]], "an item twice in one firm's bill of materials"
                om[k, d["item"]] = True
                self.m_base[k, d["item"]] = d["t_per_step"]
        self.m_has = om[:nm].copy()
        f = lambda key: np.array([m[key] for m in mf], dtype=float)  # noqa: E731
        self.m_growth, self.m_sigma = f("growth_per_year"), f("noise_sigma")
        self.m_cover, self.m_adjust = f("cover_target_steps"), f("order_adjust_steps")
        self.m_el, self.m_halt = f("price_elasticity"), f("halt_unmet_share")
        self.m_catch = f("catch_up_share")
        self.m_sub_trig = np.array([m["substitution"]["trigger_price_ratio"] for m in mf])
        self.m_sub_lag = np.array([m["substitution"]["lag_steps"] for m in mf])
        self.m_sub_rate = np.array([m["substitution"]["rate_per_step"] for m in mf])
        self.m_sub_cap = np.array([m["substitution"]["cap_share"] for m in mf])
        sb = [m.get("stock_building") or {"response": 0.0, "window_steps": 1.0, "max_cover_multiple": 1.0} for m in mf]
        self.m_sb_resp = np.array([x["response"] for x in sb])
        self.m_sb_win = np.maximum([x["window_steps"] for x in sb], 1.0)
        self.m_sb_max = np.array([x["max_cover_multiple"] for x in sb])
        self.m_window = np.array([sectors[m["sector"]]["deferral_steps"] for m in mf], dtype=np.int64)
        self.m_va = np.array([sectors[m["sector"]]["value_added_usd_per_kg"] * KG_PER_T for m in mf])
        exporter = np.zeros(nr, dtype=bool)
        for a in p["authorities"]:
            exporter[a["region"]] = True
        self.m_importer = ~exporter[self.breg[:nm]]
        groups = []
        self.m_group = np.zeros(nm, dtype=np.int64)
        for k, m in enumerate(mf):
            key = (m["region"], m["sector"])
            if key not in groups:
                groups.append(key)
            self.m_group[k] = groups.index(key)
        self.groups = [f"{regions[r]['name']}/{sectors[s]['name']}" for r, s in groups]
        # Producers: dense recipes.
        self.q_in = np.zeros((npr, ni))
        self.q_out = np.zeros((npr, ni))
        self.q_main = np.array([q["outputs"][0]["item"] for q in pr], dtype=np.int64)
        for k, q in enumerate(pr):
            for fl in q["inputs"]:
                om[self.p0 + k, fl["item"]] = True
                self.q_in[k, fl["item"]] += fl["t_per_unit"]
            for fl in q["outputs"]:
                self.q_out[k, fl["item"]] += fl["t_per_unit"]
        g = lambda key: np.array([q[key] for q in pr], dtype=float)  # noqa: E731
        self.q_cap0, self.q_util = g("capacity_t_per_step"), g("utilisation")
        self.q_el, self.q_cover = g("supply_elasticity"), g("input_cover_steps")
        self.q_adjust = g("order_adjust_steps")
        self.q_out_prob = np.array([q["outage"]["prob_per_step"] for q in pr])
        self.q_out_mean = np.array([q["outage"]["mean_steps"] for q in pr])
        self.q_out_depth = np.array([q["outage"]["depth_share"] for q in pr])
        ex = [q["expansion"] for q in pr]
        self.q_ex_trig = np.array([e["trigger_price_ratio"] for e in ex])
        self.q_ex_sustain = np.array([e["sustain_steps"] for e in ex])
        self.q_ex_lead = [(e["lead_time"]["median_steps"], e["lead_time"]["sigma"], e["lead_time"]["max_steps"]) for e in ex]
        self.q_ex_inc = np.array([e["increment_share"] for e in ex])
        self.q_ex_max = np.array([e["max_capacity_multiple"] for e in ex])
        self.q_online = [q.get("online") for q in pr]
        # Stockpiles: their lines, looped over (two stockpiles, a few lines each).
        self.sp = sp
        for k, s in enumerate(sp):
            for line in s["lines"]:
                om[self.s0 + k, line["item"]] = True
        self.om = om
        self.orderers = [np.flatnonzero(om[:, i]) for i in range(ni)]
        # Region membership matrices (all buyers; non-stockpile buyers; manufacturers).
        self.reg_all = np.zeros((nr, nb))
        self.reg_all[self.breg, np.arange(nb)] = 1.0
        self.reg_nosp = self.reg_all * (~self.is_sp)[None, :]
        self.reg_m = self.reg_all[:, :nm]
        self.reg_q = self.reg_all[:, self.p0:self.s0]
        # Authorities, their baseline policies and the timeline of events.
        self.auths = p["authorities"]
        self.auth_of_region = np.full(nr, -1, dtype=np.int64)
        for a, x in reversed(list(enumerate(self.auths))):
            self.auth_of_region[x["region"]] = a
        base = [baseline_state(a, ni, nr) for a in self.auths]
        self.baseline = [Policy(s, ni, nr, items) for s in base]
        self.events = []
        self.first_policy_step = None
        before = base
        for e in p["events"]:
            st = e["in_force"]["authorities"]
            if self.first_policy_step is None and st != before:
                self.first_policy_step = e["step"]
            before = st
            self.events.append((e["step"], [Policy(s, ni, nr, items) for s in st],
                                np.array(e["in_force"]["market"]["derate_share"], dtype=float),
                                np.array(e["in_force"]["market"]["demand_multiplier"], dtype=float)))
        self.warehouses = np.zeros((nr, ni))
        for w in p["warehouses"]:
            self.warehouses[w["region"], w["item"]] += w["tonnes"]
        ts = p.get("trade", {}).get("transit_steps") or []
        self.transit = np.array(ts, dtype=np.int64).reshape(nr, nr) if ts else np.zeros((nr, nr), dtype=np.int64)
        self.ring_len = int(self.transit.max()) + 1

    def online_share(self, k, t):
        o = self.q_online[k]
        if o is None:
            return 1.0
        since = float(t - o["step"])
        if since < 0.0:
            return 0.0
        if o["ramp_steps"] <= 0.0:
            return 1.0
        return min(since / o["ramp_steps"], 1.0)

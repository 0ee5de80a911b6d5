"""A second, independent implementation of the Chokepoint model in Python + NumPy.

Written from ARCHITECTURE.md ("The order of events inside a step"), docs/model.md and
crates/core/src, as a policy modeller would write it: arrays over agents, loops where the logic
is sequential (the licence queue, stockpile releases). It shares no code with the Rust model and
draws from its own generators (NumPy's PCG64), so agreement with the Rust model is statistical,
not bitwise. See README.md for what it implements, simplifies and omits.

    python3 chokepoint_peer.py params.json --reps N --seed S --out replications.csv
"""

from __future__ import annotations

import argparse
import csv
import sys
import time

import numpy as np

from peer_params import KG_PER_T, Params, load
from peer_authority import Authority, lead_steps
from peer_trade import Trade

INF = float("inf")


def next_ratio(ratio, scarcity, p, idx=slice(None)):
    log = (1.0 - p.p_rev[idx]) * np.log(ratio) + p.p_el[idx] * scarcity
    return np.exp(np.clip(log, p.p_lo[idx], p.p_hi[idx]))


def lacking_share(wanted, lacking):
    """Share of what was wanted for use that its users did not hold (an input idle for want of
    another input of the same recipe is not lacking; docs/model.md §9)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(wanted > 0.0, np.clip(lacking / wanted, 0.0, 1.0), 0.0)


def geometric_steps(mean, u):
    q = 1.0 / max(mean, 1.0)
    if q >= 1.0:
        return 1
    return int(min(max(np.ceil(np.log(1.0 - u) / np.log(1.0 - q)), 1.0), 4294967295.0))


class Sim(Trade):
    """One replication: every agent's state, then `advance` in the order of sim.rs."""

    def __init__(self, p: Params, seed_seq: np.random.SeedSequence):
        self.p = p
        ni, nr, nb, nm, npr = p.ni, p.nr, p.nb, p.nm, p.npr
        s = seed_seq.spawn(5)
        self.rng_demand, self.rng_supply, self.rng_lic, self.rng_inv, self.rng_queue = (
            np.random.Generator(np.random.PCG64(x)) for x in s)
        self.warehouse = p.warehouses.copy()
        self.held = np.zeros((nb, ni))
        self.order = np.zeros((nb, ni))
        self.ordered = np.zeros((nb, ni))
        self.use_t = np.zeros((nb, ni))
        self.elig_lacking = np.zeros((nr, ni))
        self.servable = np.zeros((nr, ni))
        self.L = p.ring_len
        self.ring = np.zeros((nb, ni, self.L))
        self.lead_steps = np.zeros((nb, ni))
        self.now = 0
        self.new_ledger()
        self.exported_by_auth = np.zeros(ni)
        # Prices.
        na = len(p.auths)
        self.world = np.ones(ni)
        self.domestic = np.ones((na, ni))
        self.producer = np.ones((na, ni))
        self.shortage = np.zeros((nr, ni))
        self.glut = np.zeros((nr, ni))
        self.unserved = np.zeros((nr, ni))
        # Manufacturers.
        self.held[:nm] += p.m_cover[:, None] * p.m_base
        self.surge = np.ones(nm)
        self.subst = np.zeros(nm)
        self.m_high = np.zeros(nm, dtype=np.int64)
        self.line_demand = np.zeros((nm, ni))
        self.ref_log = np.zeros((nm, ni))
        self.cover_mult = np.ones((nm, ni))
        # Deferral backlogs: one ring of `deferral_steps` places per firm, grouped by length.
        self.backlog = [(np.flatnonzero(p.m_window == w), np.zeros((int((p.m_window == w).sum()), int(w))))
                        for w in np.unique(p.m_window)]
        self.catch_up = np.zeros(nm)
        # Producers.
        self.online = np.array([p.online_share(k, 0) for k in range(npr)])
        act0 = p.q_cap0 * p.q_util * self.online
        self.held[p.p0:p.s0] += (p.q_cover * act0)[:, None] * p.q_in
        self.cap = p.q_cap0.copy()
        self.outage_left = np.zeros(npr, dtype=np.int64)
        self.derate = np.zeros(npr)
        self.q_high = np.zeros(npr, dtype=np.int64)
        self.project_at = np.full(npr, -1, dtype=np.int64)
        self.projects = np.zeros(npr, dtype=np.int64)
        self.planned = np.zeros(npr)
        # Stockpiles.
        for k, sp in enumerate(p.sp):
            for line in sp["lines"]:
                self.held[p.s0 + k, line["item"]] += line["initial_t"]
        self.sp_spent = np.zeros(p.nsp)
        self.sp_last_release = [None] * p.nsp
        self.sp_releasing = [[False] * len(sp["lines"]) for sp in p.sp]
        self.auths = [Authority(p, a, self.rng_lic, self.rng_queue) for a in range(na)]
        self.fill_pipeline()
        self.tally_restart(self.holdings_cost())
        self.step = 0
        self.clock = 0
        self.next_event = 0
        self.trace = None
        self.halted_share = 0.0

    def record(self):
        """A few of the per-step variables of series.rs, for comparing mean trajectories."""
        p = self.p
        row = {"halted_share": self.halted_share}
        for i, n in enumerate(p.item_names):
            row[f"price_ratio/{n}"] = self.world[i]
            row[f"exports_t/{n}"] = self.exported_by_auth[i]
            row[f"in_transit_t/{n}"] = self.ring[:, i, :].sum()
        for k, a in enumerate(self.auths):
            for i, n in enumerate(p.item_names):
                row[f"domestic_price_ratio/{k}/{n}"] = self.domestic[k, i]
            row[f"licences_approved/{k}"] = a.step_approved
            row[f"licences_refused/{k}"] = a.step_refused
            row[f"licences_pending/{k}"] = len(a.queue) + a.in_review
        self.trace.append(row)

    # ---- prices ------------------------------------------------------------------------
    def ratio_region(self):
        """Price ratio each region's buyers see: domestic in an exporter, else world."""
        r = np.tile(self.world, (self.p.nr, 1))
        for reg, a in enumerate(self.p.auth_of_region):
            if a >= 0:
                r[reg] = self.domestic[a]
        return r

    def producer_ratio_region(self):
        r = np.tile(self.world, (self.p.nr, 1))
        for reg, a in enumerate(self.p.auth_of_region):
            if a >= 0:
                r[reg] = self.producer[a]
        return r

    def update_prices(self):
        p = self.p
        free = p.auth_of_region < 0
        wanted = self.wanted[free].sum(axis=0)
        lacking = self.lacking[free].sum(axis=0)
        announced = np.zeros(p.ni)
        for a in self.auths:
            announced = np.maximum(announced, np.where(a.policy.controlled, 0.0, a.policy.premium))
        self.world = next_ratio(self.world, lacking_share(wanted, lacking) + announced, p)
        self.peak = np.maximum(self.peak, self.world)
        for k, a in enumerate(self.auths):
            r = a.region
            sc = lacking_share(self.wanted[r], self.lacking[r]) - self.glut[r] + self.unserved[r]
            self.domestic[k] = next_ratio(self.domestic[k], sc, p)
            home, foreign = self.wanted[r], self.servable[r]
            with np.errstate(divide="ignore", invalid="ignore"):
                self.producer[k] = np.where(home + foreign > 0.0,
                                            (home * self.domestic[k] + foreign * self.world) / (home + foreign),
                                            self.domestic[k])

    # ---- the step ----------------------------------------------------------------------
    def advance(self, active):
        p = self.p
        t = self.step if active else 0
        self.new_ledger()
        self.deliver()
        if active:
            self.apply_policy(t)
        self.capacity(t)
        rr = self.ratio_region()
        self.form_demand(t, rr)
        self.order[:] = 0.0
        self.use_t[:] = 0.0
        pos = self.position()
        self.build_stocks(rr)
        self.manufacturer_orders(pos)
        self.producer_orders(pos)
        if active:
            self.stockpile_orders(rr, pos)
        self.ordered = self.order.copy()
        for a in self.auths:
            a.take_applications(self.order, self.clock)
            a.review(self.clock)
        self.clear_trade(self.clock)
        self.measure_shortage()
        if active:
            self.stockpile_release()
            self.stockpile_pay(rr)
        self.produce()
        self.consume(t)
        self.update_prices()
        rr = self.ratio_region()
        self.substitute(rr)
        self.expand(rr)
        if active:
            self.exports_t += self.exported_by_auth.sum()
            if self.trace is not None:
                self.record()
        self.exported_by_auth[:] = 0.0
        self.clock += 1

    def apply_policy(self, t):
        p = self.p
        if p.cal.starts_new_year(t):
            for a in self.auths:
                a.new_year()
        while self.next_event < len(p.events) and p.events[self.next_event][0] <= t:
            _, states, derate, mult = p.events[self.next_event]
            for a, s in zip(self.auths, states):
                a.policy = s
            self.derate = derate
            self.surge = mult
            self.next_event += 1
        for a in self.auths:
            a.pace_quotas(t)

    def capacity(self, t):
        p = self.p
        for k, o in enumerate(p.q_online):
            if o is not None:
                self.online[k] = p.online_share(k, t)
        u = self.rng_supply.random((p.npr, 2))
        for k in range(p.npr):
            if self.outage_left[k] > 0:
                self.outage_left[k] -= 1
            elif u[k, 0] < p.q_out_prob[k]:
                self.outage_left[k] = geometric_steps(p.q_out_mean[k], u[k, 1])
            if self.project_at[k] == self.clock:
                self.cap[k] = min(self.cap[k] + p.q_cap0[k] * p.q_ex_inc[k], p.q_cap0[k] * p.q_ex_max[k])
                self.project_at[k] = -1

    def form_demand(self, t, rr):
        p = self.p
        years = t * p.cal.step_years
        z = self.rng_demand.standard_normal(p.nm)
        noise = np.exp(p.m_sigma * z - 0.5 * p.m_sigma ** 2)
        trend = np.power(1.0 + p.m_growth, years)
        common = trend * noise * self.surge * (1.0 - self.subst)
        price = np.power(rr[p.breg[:p.nm]], -p.m_el[:, None])
        self.line_demand = p.m_base * common[:, None] * price

    def build_stocks(self, rr):
        p = self.p
        on = p.m_sb_resp > 0.0
        if not on.any():
            return
        logp = np.log(rr[p.breg[:p.nm]])
        rise = np.maximum(logp - self.ref_log, 0.0)
        mult = np.minimum(1.0 + p.m_sb_resp[:, None] * rise, p.m_sb_max[:, None])
        self.cover_mult = np.where(on[:, None] & p.m_has, mult, self.cover_mult)
        upd = self.ref_log + (logp - self.ref_log) / p.m_sb_win[:, None]
        self.ref_log = np.where(on[:, None] & p.m_has, upd, self.ref_log)

    def manufacturer_orders(self, pos):
        p = self.p
        nm = p.nm
        pending = np.zeros(nm)
        for idx, ring in self.backlog:
            pending[idx] = ring.sum(axis=1)
        self.catch_up = np.minimum(pending, p.m_catch)
        need = self.line_demand
        cover = p.m_cover[:, None] * self.cover_mult
        target = cover * need + self.lead_steps[:nm] * need
        gap = target - pos[:nm]
        plan = (1.0 + self.catch_up)[:, None]
        want = np.maximum(need * plan + gap / p.m_adjust[:, None], 0.0)
        self.order[:nm] += np.where(p.m_has, want, 0.0)
        self.use_t[:nm] += np.where(p.m_has, need * plan, 0.0)

    def producer_orders(self, pos):
        p = self.p
        prr = self.producer_ratio_region()
        ratio = prr[p.breg[p.p0:p.s0], p.q_main]
        util = np.minimum(p.q_util * np.power(ratio, p.q_el), 1.0)
        outage = np.where(self.outage_left > 0, p.q_out_depth, 0.0)
        act = self.cap * self.online * (1.0 - outage) * (1.0 - self.derate) * util
        self.planned = act
        baseline = p.q_cap0 * p.q_util * self.online
        use = act[:, None] * p.q_in
        target = (p.q_cover * baseline)[:, None] * p.q_in + self.lead_steps[p.p0:p.s0] * use
        want = np.maximum(use + (target - pos[p.p0:p.s0]) / p.q_adjust[:, None], 0.0)
        has = p.om[p.p0:p.s0]
        self.order[p.p0:p.s0] += np.where(has, want, 0.0)
        self.use_t[p.p0:p.s0] += np.where(has, use, 0.0)

    def stockpile_orders(self, rr, pos):
        p = self.p
        for k, sp in enumerate(p.sp):
            b = p.s0 + k
            budget = max(sp["budget_usd"] - self.sp_spent[k], 0.0)
            rel, ref = sp["release"], sp["refill"]
            last = self.sp_last_release[k]
            for j, line in enumerate(sp["lines"]):
                i, reg = line["item"], sp["region"]
                ratio, short = rr[reg, i], self.shortage[reg, i]
                release = (rel["shortage_trigger_share"] is not None and short >= rel["shortage_trigger_share"]) or (
                    rel["price_trigger_ratio"] is not None and ratio >= rel["price_trigger_ratio"])
                self.sp_releasing[k][j] = release
                rested = last is None or self.clock >= last + ref["delay_steps"]
                have = pos[b, i]
                if release or not rested or ratio > ref["max_price_ratio"] or have >= line["target_t"]:
                    continue
                usd_per_t = ratio * p.base_price[i] * KG_PER_T
                want = min(line["acquisition_t_per_step"], line["target_t"] - have, budget / usd_per_t)
                budget -= want * usd_per_t
                self.order[b, i] += max(want, 0.0)

    def stockpile_release(self):
        p = self.p
        for k, sp in enumerate(p.sp):
            holder = p.s0 + k
            rel = sp["release"]
            for j, line in enumerate(sp["lines"]):
                if not self.sp_releasing[k][j]:
                    continue
                i = line["item"]
                pool = min(max(self.held[holder, i] - rel["floor_share"] * line["target_t"], 0.0),
                           line["release_cap_t_per_step"])
                before = pool
                passes = [rel["priority_sector"], None] if rel["priority_sector"] is not None else [None]
                c = p.orderers[i]
                for sector in passes:
                    elig = (p.breg[c] == sp["region"]) & ~p.is_sp[c]
                    if sector is not None:
                        elig &= p.bsec[c] == sector
                    o = np.where(elig, self.order[c, i], 0.0)
                    demand = o.sum()
                    if demand <= 0.0 or pool <= 0.0:
                        continue
                    q = np.maximum(o, 0.0) * min(pool / demand, 1.0)
                    moved = q.sum()
                    self.order[c, i] -= q
                    self.held[c, i] += q
                    self.held[holder, i] = max(self.held[holder, i] - moved, 0.0)
                    pool -= moved
                released = before - pool
                if released > 0.0:
                    self.sp_last_release[k] = self.clock
                    self.released_t += released

    def stockpile_pay(self, rr):
        p = self.p
        for k, sp in enumerate(p.sp):
            b = p.s0 + k
            for line in sp["lines"]:
                i = line["item"]
                bought = self.ordered[b, i] - self.order[b, i]
                if bought > 0.0:
                    usd = bought * rr[sp["region"], i] * p.base_price[i] * KG_PER_T
                    self.sp_spent[k] += usd
                    self.stockpile_cost += usd

    def produce(self):
        p = self.p
        reg = p.reg_q
        self.wanted += reg @ (self.planned[:, None] * p.q_in)
        held = self.held[p.p0:p.s0]
        self.lacking += reg @ np.maximum(self.planned[:, None] * p.q_in - held, 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            lim = np.where(p.q_in > 0.0, held / p.q_in, INF).min(axis=1)
        act = np.minimum(self.planned, lim)
        act = np.where(act > 0.0, act, 0.0)
        used = act[:, None] * p.q_in
        self.held[p.p0:p.s0] = np.where(act[:, None] > 0.0, np.maximum(held - used, 0.0), held)
        self.consumed += reg @ used
        made = act[:, None] * p.q_out
        self.warehouse += reg @ made
        self.produced += reg @ made

    def consume(self, t):
        p = self.p
        nm = p.nm
        need = self.line_demand
        plan = 1.0 + self.catch_up
        held = self.held[:nm]
        with np.errstate(divide="ignore", invalid="ignore"):
            lim = np.where(p.m_has & (need > 0.0), held / need, INF).min(axis=1)
        made = np.minimum(plan, lim)
        used = np.where(p.m_has, np.minimum(made[:, None] * need, held), 0.0)
        self.lacking += p.reg_m @ np.where(p.m_has, np.maximum(plan[:, None] * need - held, 0.0), 0.0)
        self.held[:nm] = held - used
        self.wanted += p.reg_m @ np.where(p.m_has, plan[:, None] * need, 0.0)
        self.consumed += p.reg_m @ used
        lost = self.defer(made)
        need_t = np.where(p.m_has & (need > 0.0), need, 0.0).sum(axis=1)
        unmet = (lost[:, None] * np.where(p.m_has, need, 0.0)).sum(axis=0)
        self.unmet_t += unmet
        np.add.at(self.group_wanted, p.m_group, need_t)
        np.add.at(self.group_lost, p.m_group, lost * need_t)
        self.wanted_usd += (need_t * p.m_va).sum()
        self.lost_usd += (lost * need_t * p.m_va).sum()
        halted = int((p.m_importer & (made < 1.0 - p.m_halt)).sum())
        if halted > 0 and self.first_halt is None:
            self.first_halt = t
        self.firm_steps_halted += halted
        n_imp = int(p.m_importer.sum())
        share = halted / n_imp if n_imp else 0.0
        self.halted_share = share
        self.peak_halted = max(self.peak_halted, share)

    def defer(self, made):
        """Output made pays the backlog oldest first; this step's shortfall joins it; what ages
        past the sector's window is lost (returned, in steps of full output)."""
        lost = np.zeros_like(made)
        for idx, ring in self.backlog:
            w = ring.shape[1]
            left = made[idx].copy()
            for j in range(w):
                col = (self.clock + j) % w
                take = np.minimum(left, ring[:, col])
                ring[:, col] -= take
                left -= take
            short = np.maximum(1.0 - left, 0.0)
            if w == 0:
                lost[idx] = short
                continue
            col = self.clock % w
            lost[idx] = ring[:, col]
            ring[:, col] = short
        return lost

    def substitute(self, rr):
        p = self.p
        ratio = np.where(p.m_has, rr[p.breg[:p.nm]], 0.0).max(axis=1)
        self.m_high = np.where(ratio >= p.m_sub_trig, self.m_high + 1, 0)
        go = (self.m_high >= p.m_sub_lag) & (self.m_high > 0)
        self.subst = np.where(go, np.minimum(self.subst + p.m_sub_rate, p.m_sub_cap), self.subst)

    def expand(self, rr):
        p = self.p
        ratio = rr[p.breg[p.p0:p.s0], p.q_main]
        self.q_high = np.where(ratio >= p.q_ex_trig, self.q_high + 1, 0)
        for k in range(p.npr):
            if (self.project_at[k] < 0 and self.q_high[k] >= p.q_ex_sustain[k] and self.q_high[k] > 0
                    and p.q_ex_inc[k] > 0.0 and self.cap[k] < p.q_cap0[k] * p.q_ex_max[k]):
                z = self.rng_inv.standard_normal()
                self.project_at[k] = self.clock + max(lead_steps(p.q_ex_lead[k], z), 1)
                self.q_high[k] = 0

    # ---- running totals and the metrics -----------------------------------------------
    def holdings_cost(self):
        p = self.p
        usd = 0.0
        for k, sp in enumerate(p.sp):
            for line in sp["lines"]:
                i = line["item"]
                usd += self.held[p.s0 + k, i] * p.base_price[i] * KG_PER_T
        return usd

    def tally_restart(self, opening_cost):
        p = self.p
        self.peak = self.world.copy()
        self.unmet_t = np.zeros(p.ni)
        self.group_wanted = np.zeros(len(p.groups))
        self.group_lost = np.zeros(len(p.groups))
        self.wanted_usd = self.lost_usd = 0.0
        self.firm_steps_halted = 0
        self.first_halt = None
        self.peak_halted = 0.0
        self.stockpile_cost = opening_cost
        self.released_t = 0.0
        self.exports_t = 0.0

    def run(self):
        p = self.p
        while self.clock < p.cal.warmup_steps:
            self.advance(False)
        self.tally_restart(self.holdings_cost())
        for a in self.auths:
            a.restart_counts()
        while self.step < p.cal.n_steps:
            self.advance(True)
            self.step += 1
        return self.metrics()

    def metrics(self):
        p = self.p
        weeks = p.cal.step_weeks
        first = min(p.first_policy_step or 0, p.cal.n_steps)
        decided = sum(a.decided for a in self.auths)
        approved = sum(a.approved for a in self.auths)
        delay = sum(a.delay_steps for a in self.auths)
        kind = np.array(p.item_kind)
        m = {
            "unmet_magnet_t": self.unmet_t[kind == "product"].sum(),
            "unmet_material_t": self.unmet_t[kind == "material"].sum(),
            "unmet_demand_share": self.lost_usd / self.wanted_usd if self.wanted_usd > 0 else 0.0,
            "any_halt": float(self.first_halt is not None),
            "weeks_to_first_halt": (max(self.first_halt - first, 0) if self.first_halt is not None
                                    else p.cal.n_steps - first) * weeks,
            "peak_halted_share": self.peak_halted,
            "firm_weeks_halted": self.firm_steps_halted * weeks,
            "licence_approval_rate": approved / decided if decided else 1.0,
            "mean_licence_delay_weeks": delay / decided * weeks if decided else 0.0,
            "licences_decided": float(decided),
            "stockpile_cost_usd": self.stockpile_cost,
            "stockpile_released_t": self.released_t,
            "lost_output_usd": self.lost_usd,
            "total_cost_usd": self.lost_usd + self.stockpile_cost,
            "exports_t": self.exports_t,
        }
        for i, name in enumerate(p.item_names):
            m[f"peak_price_ratio/{name}"] = self.peak[i]
        for i, name in enumerate(p.item_names):
            m[f"unmet_demand_t/{name}"] = self.unmet_t[i]
        for g, name in enumerate(p.groups):
            w = self.group_wanted[g]
            m[f"demand_met_share/{name}"] = 1.0 - self.group_lost[g] / w if w > 0 else 1.0
        return m


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("params", help="JSON written by `cargo run --release --example dump_params`")
    ap.add_argument("--reps", type=int, default=None, help="replications (default: all in the dump, or 1)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=None, help="per-replication metrics CSV")
    ap.add_argument("--trace", default=None, help="CSV of mean per-step variables over replications")
    args = ap.parse_args(argv)
    doc = load(args.params)
    reps = args.reps if args.reps is not None else max(len(doc["replications"]), 1)
    if doc["replications"] and reps > len(doc["replications"]):
        sys.exit(f"the dump holds {len(doc['replications'])} sampled replications; asked for {reps}")
    rows, traces = [], []
    t0 = time.perf_counter()
    for r in range(reps):
        changes = doc["replications"][r] if doc["replications"] else ()
        params = Params(doc["central"], changes)
        sim = Sim(params, np.random.SeedSequence([args.seed, r]))
        if args.trace:
            sim.trace = []
        rows.append(sim.run())
        if args.trace:
            traces.append(sim.trace)
    secs = time.perf_counter() - t0
    if args.out:
        with open(args.out, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            names = list(rows[0])
            w.writerow(["rep"] + names)
            for r, row in enumerate(rows):
                w.writerow([r] + [repr(float(row[n])) for n in names])
    if args.trace:
        with open(args.trace, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["step", "variable", "mean"])
            for t in range(len(traces[0])):
                for v in traces[0][t]:
                    w.writerow([t, v, repr(float(np.mean([tr[t][v] for tr in traces])))])
    print(f"peer: {reps} replications in {secs:.2f} s ({reps / secs:.2f} per second)", file=sys.stderr)
    return rows, secs


if __name__ == "__main__":
    main()

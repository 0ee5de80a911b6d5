"""Stocks, orders and trade of the peer (crates/core/src/markets.rs, transit.rs and the shortage
measure of prices.rs): a mixin of `chokepoint_peer.Sim`, which owns the arrays."""

from __future__ import annotations

import numpy as np


class Trade:
    """The book: warehouses, buyers' stocks, orders, the transit ring and the step's ledger."""
    # ---- book -------------------------------------------------------------------------
    def new_ledger(self):
        z = (self.p.nr, self.p.ni)
        self.produced, self.consumed = np.zeros(z), np.zeros(z)
        self.imported, self.exported, self.wanted = np.zeros(z), np.zeros(z), np.zeros(z)
        # Wanted for use and not held by its user (prices answer this; docs/model.md §9).
        self.lacking = np.zeros(z)

    def position(self):
        return self.held + self.ring.sum(axis=2) if self.L > 1 else self.held

    def unfilled_use(self):
        received = self.ordered - self.order
        return np.minimum(np.maximum(self.use_t - received, 0.0), np.maximum(self.order, 0.0))

    def lacking_use(self):
        return np.minimum(self.unfilled_use(), np.maximum(self.use_t - self.held, 0.0))

    def route(self, s, q):
        """Moves `q` (buyers x items, all in regions other than `s`) out of region `s`."""
        p = self.p
        self.exported[s] += q.sum(axis=0)
        steps = p.transit[s, p.breg]
        now = steps == 0
        if now.any():
            self.held[now] += q[now]
            self.imported += p.reg_all[:, now] @ q[now]
        later = ~now
        if later.any():
            b = np.flatnonzero(later)
            pos = (self.now + steps[b]) % self.L
            self.ring[b[:, None], np.arange(p.ni)[None, :], pos[:, None]] += q[b]

    def sell(self, s, supply, elig):
        """Pro-rata sale of each item from region `s`'s warehouse to eligible buyers in other
        regions (one call serves every item: sales of different items are independent)."""
        o = np.where(elig, self.order, 0.0)
        demand = o.sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            fill = np.where((demand > 0.0) & (supply > 0.0), np.minimum(supply / demand, 1.0), 0.0)
        q = np.maximum(o, 0.0) * fill[None, :]
        moved = q.sum(axis=0)
        self.order -= q
        self.route(s, q)
        self.warehouse[s] = np.maximum(self.warehouse[s] - moved, 0.0)
        return moved

    def deliver(self):
        self.now = self.clock
        if self.L == 1:
            return
        pos = self.clock % self.L
        due = self.ring[:, :, pos].copy()
        self.ring[:, :, pos] = 0.0
        self.held += due
        self.imported += self.p.reg_all @ due

    # ---- trade (step 6) ---------------------------------------------------------------
    def clear_trade(self, t):
        p = self.p
        om = p.om
        # (a) Domestic: each region's warehouse serves its own buyers (every item at once).
        demand = p.reg_all @ self.order
        with np.errstate(divide="ignore", invalid="ignore"):
            fill = np.where((self.warehouse > 0.0) & (demand > 0.0),
                            np.minimum(self.warehouse / demand, 1.0), 0.0)
        q = np.maximum(self.order, 0.0) * fill[p.breg]
        self.order -= q
        self.held += q
        self.warehouse = np.maximum(self.warehouse - p.reg_all @ q, 0.0)
        # (b) Free imports: regions without an authority sell their surplus abroad.
        ext_ok = om.copy()
        for a in self.auths:
            ext_ok &= ~a.policy.reexport[None, :] | (p.breg == a.region)[:, None] | a.authorised(t)
        for s in range(p.nr):
            if p.auth_of_region[s] >= 0 or not (self.warehouse[s] > 0.0).any():
                continue
            elig = ext_ok & (p.breg != s)[:, None]
            self.sell(s, self.warehouse[s].copy(), elig)
        # Quota rooms, then (c) controlled exports.
        for a in self.auths:
            a.share_quota_rooms(self.order, t)
        lacking_all = None
        for a in self.auths:
            s = a.region
            elig = om & a.may_ship(t)
            back = a.hold_back(elig, self.order, t)
            offered = self.order.copy()
            serv = np.where(elig, np.maximum(np.minimum(self.use_t, self.order), 0.0), 0.0).sum(axis=0)
            self.servable[s] = np.minimum(serv, a.item_room)
            supply = np.minimum(self.warehouse[s], a.item_room)
            moved = self.sell(s, supply, elig)
            a.count_down(offered - self.order, back, self.order)
            lacking_all = self.lacking_use()
            self.elig_lacking[s] = np.where(elig, lacking_all, 0.0).sum(axis=0)
            a.book_shipment(moved)
            self.exported_by_auth += moved

    def fill_pipeline(self):
        """The equilibrium start: cargo at sea as if baseline trade had run for ever."""
        if self.L == 1:
            return
        p = self.p
        saved = (self.warehouse, self.held, self.order, self.ring, self.use_t, self.ordered,
                 self.elig_lacking.copy(), self.servable.copy(), self.exported_by_auth.copy())
        self.warehouse = np.zeros_like(saved[0])
        act = p.q_cap0 * p.q_util * self.online
        np.add.at(self.warehouse, p.breg[p.p0:p.s0], act[:, None] * p.q_out)
        self.order = np.zeros_like(saved[2])
        self.order[p.p0:p.s0] += act[:, None] * p.q_in
        self.order[:p.nm] += p.m_base
        baseline = self.order.copy()
        self.held, self.ring = saved[1].copy(), np.zeros_like(saved[3])
        self.use_t, self.ordered = np.zeros_like(saved[4]), np.zeros_like(saved[5])
        quota = [(a.item_room.copy(), a.step_room.copy(), a.shipped.copy()) for a in self.auths]
        self.clear_trade(0)
        dry = self.ring
        for a, (ir, sr, sh) in zip(self.auths, quota):
            a.item_room, a.step_room, a.shipped = ir, sr, sh
        (self.warehouse, self.held, self.order, self.ring, self.use_t, self.ordered,
         self.elig_lacking, self.servable, self.exported_by_auth) = saved
        self.new_ledger()
        at_sea = np.zeros((p.nb, p.ni))
        for l in range(1, self.L):
            q = dry[:, :, l]
            self.ring[:, :, :l] += np.where(q > 0.0, q, 0.0)[:, :, None]
            at_sea += l * np.maximum(q, 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            self.lead_steps = np.where(baseline > 0.0, at_sea / baseline, 0.0)

    def measure_shortage(self):
        p = self.p
        ordered = p.reg_nosp @ self.ordered
        unfilled = p.reg_nosp @ self.order
        with np.errstate(divide="ignore", invalid="ignore"):
            self.shortage = np.where(ordered > 0.0, unfilled / ordered, 0.0)
        uu = self.unfilled_use()
        for r, a in enumerate(p.auth_of_region):
            if a < 0:
                continue
            home = (p.breg == r)[:, None] & p.om
            home_bought = np.where(home, self.ordered - self.order, 0.0).sum(axis=0)
            foreign = np.where(p.om & ~home, uu, 0.0).sum(axis=0)
            left = self.warehouse[r]
            blocked = np.minimum(foreign, left)
            short = np.maximum(self.elig_lacking[r] - left, 0.0)
            could = blocked + short + self.exported[r] + home_bought
            with np.errstate(divide="ignore", invalid="ignore"):
                self.glut[r] = np.where(could > 0.0, blocked / could, 0.0)
                self.unserved[r] = np.where(could > 0.0, short / could, 0.0)

"""The export authority of the peer: policy in force, quotas and their pacing, licences per
(buyer, item) with a FIFO review queue (crates/core/src/authority.rs and licences.rs)."""

from __future__ import annotations

import datetime as dt
import math
from collections import deque

import numpy as np

USED_UP_T = 1e-9
INF = float("inf")
NONE, QUEUED, REVIEW, REFUSED = 0, 1, 2, 3


def lead_steps(lead, z):
    """Log-normal lead time around the median, rounded, never past the maximum."""
    median, sigma, most = lead
    raw = math.exp(math.log(median) + sigma * z) if median > 0.0 else 0.0
    return int(max(min(math.floor(raw + 0.5), math.floor(most)), 0.0))


def fmin(a, b):
    """`f64::min`: a NaN argument yields the other."""
    if math.isnan(a):
        return b
    if math.isnan(b):
        return a
    return min(a, b)


class Authority:
    def __init__(self, p, a, rng_lic, rng_queue):
        self.p = p
        ap = p.auths[a]
        self.region = ap["region"]
        self.quotas = [(np.array(q["items"], dtype=np.int64), q["carry_over"]) for q in ap["quotas"]]
        self.policy = p.baseline[a]
        nq = len(self.quotas)
        self.shipped = np.zeros(nq)
        self.year_share = p.cal.first_year_share()
        self.carried = np.zeros(nq)
        self.step_room = np.full(nq, INF)
        self.item_room = np.full(p.ni, INF)
        n = p.nb * p.ni
        self.lic_has = np.zeros(n, dtype=bool)
        self.lic_until = np.zeros(n, dtype=np.int64)
        self.lic_rem = np.zeros(n)
        self.lic_need = np.zeros(n)
        self.state = np.zeros(n, dtype=np.int8)
        self.applied = np.zeros(n, dtype=np.int64)
        self.decides = np.zeros(n, dtype=np.int64)
        self.approved_flag = np.zeros(n, dtype=bool)
        self.retry = np.zeros(n, dtype=np.int64)
        self.need_t = np.zeros(n)
        self.queue = deque()
        self.in_review = 0
        self.credit = 0.0
        self.rng_lic, self.rng_queue = rng_lic, rng_queue
        self.restart_counts()
        self.buyer_of = np.repeat(np.arange(p.nb), p.ni)

    def restart_counts(self):
        self.shipped[:] = 0.0
        self.carried[:] = 0.0
        self.decided = self.approved = self.delay_steps = 0

    # ---- what may ship -----------------------------------------------------------------
    def licensed(self, t):
        ok = self.lic_has & (self.lic_until > t) & (self.lic_rem > USED_UP_T)
        return ok.reshape(self.p.nb, self.p.ni)

    def room(self, t):
        return np.where(self.licensed(t), self.lic_rem.reshape(self.p.nb, self.p.ni), 0.0)

    def general(self):
        return self.policy.general[self.p.breg]

    def authorised(self, t):
        return self.general() | self.licensed(t)

    def may_ship(self, t):
        pol, breg = self.policy, self.p.breg
        return ((breg != self.region)[:, None] & ~pol.embargo[breg]
                & (~pol.controlled[None, :] | self.authorised(t)))

    def hold_back(self, elig, order, t):
        """Orders beyond a licence's quantity wait (controlled items); returns what was held."""
        covered = np.where(elig & ~self.general(), self.room(t), INF)
        back = np.where(self.policy.controlled[None, :], np.maximum(order - covered, 0.0), 0.0)
        order -= back
        return back

    def count_down(self, shipped, back, order):
        ctl = self.policy.controlled[None, :]
        mask = (ctl & (shipped > 0.0) & ~self.general()).ravel() & self.lic_has
        self.lic_rem[mask] = np.maximum(self.lic_rem[mask] - shipped.ravel()[mask], 0.0)
        order += back

    # ---- quotas ------------------------------------------------------------------------
    def new_year(self):
        for q, (_, carry) in enumerate(self.quotas):
            annual = self.policy.quota_annual[q]
            if annual is not None and carry:
                self.carried[q] = max(annual * self.year_share + self.carried[q] - self.shipped[q], 0.0)
            else:
                self.carried[q] = 0.0
        self.shipped[:] = 0.0
        self.year_share = 1.0

    def pace_quotas(self, t):
        cal = self.p.cal
        date = cal.date_of(t)
        day = date.timetuple().tm_yday
        year_end = dt.date(date.year + 1, 1, 1)
        for q in range(len(self.quotas)):
            annual = self.policy.quota_annual[q]
            if annual is None:
                self.step_room[q] = INF
                continue
            batches = self.policy.quota_batches[q]
            if not batches:
                issued_share, nxt = 1.0, year_end
            else:
                total = sum(s for _, s in batches)
                issued = sum(s for d, s in batches if d <= day)
                later = [d for d, _ in batches if d > day]
                nxt = year_end
                if later:
                    try:
                        nxt = dt.date(date.year, 1, 1) + dt.timedelta(days=min(later) - 1)
                        if nxt.year != date.year:
                            nxt = year_end
                    except OverflowError:
                        nxt = year_end
                issued_share = issued / total if total > 0.0 else 0.0
            days_left = max(abs((nxt - date).days), 1)
            steps_left = -(-days_left // max(cal.step_days, 1))
            issued_t = annual * self.year_share * issued_share + self.carried[q]
            self.step_room[q] = max(issued_t - self.shipped[q], 0.0) / steps_left

    def share_quota_rooms(self, order, t):
        p, pol = self.p, self.policy
        capped = [pol.quota_annual[q] is not None for q in range(len(self.quotas))]
        in_capped = np.zeros(p.ni, dtype=bool)
        for q, (items, _) in enumerate(self.quotas):
            if capped[q]:
                in_capped[items] = True
        ship = p.om & self.may_ship(t)
        covered = np.where(pol.controlled[None, :] & ~self.general(), self.room(t), INF)
        wanted = np.where(ship, np.minimum(order, covered), 0.0).sum(axis=0)
        item_wanted = np.where(in_capped, wanted, 0.0)
        quota_wanted = np.array([item_wanted[items].sum() for items, _ in self.quotas])
        self.item_room = np.full(p.ni, INF)
        for q, (items, _) in enumerate(self.quotas):
            if not capped[q]:
                continue
            for i in items:
                share = item_wanted[i] / quota_wanted[q] if quota_wanted[q] > 0.0 else 0.0
                self.item_room[i] = fmin(self.item_room[i], max(self.step_room[q], 0.0) * share)

    def book_shipment(self, moved):
        for q, (items, _) in enumerate(self.quotas):
            t = moved[items].sum()
            self.shipped[q] += t
            self.step_room[q] -= t

    # ---- licences ----------------------------------------------------------------------
    def take_applications(self, order, step):
        p, pol = self.p, self.policy
        renew = pol.lead[0] + pol.renewal_margin
        breg = p.breg
        want = ((breg != self.region)[:, None] & (order > 0.0)
                & (pol.controlled | pol.reexport)[None, :] & ~pol.embargo[breg] & ~pol.general[breg]).ravel()
        may = (self.state == NONE) | ((self.state == REFUSED) & (self.retry <= step))
        cand = np.flatnonzero(want & may)
        if cand.size == 0:
            return
        lic = self.licensed(step).ravel()[cand]
        with np.errstate(divide="ignore", invalid="ignore"):
            by_q = np.where(self.lic_need[cand] > 0.0, self.lic_rem[cand] / self.lic_need[cand], INF)
        by_term = (self.lic_until[cand] - step).astype(float)
        due = ~lic | (np.minimum(by_term, by_q) <= renew)
        filed = cand[due]
        if filed.size == 0:
            return
        filed = self.rng_queue.permutation(filed)  # same-step applications: a random place in line
        self.state[filed] = QUEUED
        self.applied[filed] = step
        self.need_t[filed] = order.ravel()[filed]
        self.queue.extend(filed.tolist())

    def review(self, step):
        p, pol = self.p, self.policy
        self.step_approved = self.step_refused = 0
        self.credit += pol.review_capacity
        reviews = math.floor(self.credit)
        self.credit -= reviews
        for _ in range(int(reviews)):
            if not self.queue:
                break
            slot = self.queue.popleft()
            if self.state[slot] != QUEUED:
                continue
            b = slot // p.ni
            odds = pol.approval[p.breg[b] * p.ns + p.bsec[b]]
            z = self.rng_lic.standard_normal()
            u = self.rng_lic.random()
            self.state[slot] = REVIEW
            self.decides[slot] = step + lead_steps(pol.lead, z)
            self.approved_flag[slot] = u < odds
            self.in_review += 1
        if self.in_review == 0:
            return
        done = np.flatnonzero((self.state == REVIEW) & (self.decides <= step))
        if done.size == 0:
            return
        self.in_review -= done.size
        self.decided += done.size
        self.delay_steps += int((step - self.applied[done]).sum())
        yes = done[self.approved_flag[done]]
        no = done[~self.approved_flag[done]]
        self.approved += yes.size
        self.step_approved, self.step_refused = yes.size, no.size
        if yes.size:
            b = self.buyer_of[yes]
            term = pol.validity[p.breg[b] * p.ns + p.bsec[b]]
            need = self.need_t[yes]
            self.lic_has[yes] = True
            self.lic_until[yes] = step + term
            self.lic_rem[yes] = INF if pol.cover_factor is None else need * term * pol.cover_factor
            self.lic_need[yes] = need
            self.state[yes] = NONE
        if no.size:
            self.state[no] = REFUSED
            self.retry[no] = step + pol.reapply_delay

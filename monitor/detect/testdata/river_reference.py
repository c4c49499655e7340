#!/usr/bin/python3
"""Reference values for monitor/detect, computed step by step in plain Python.

This script restates the published update rules of River's drift.PageHinkley
(the current two-sided form with a mode parameter) and drift.ADWIN / AdaptiveWindowing
(river/drift/adwin_c.pyx, now ported to Rust in River's _rust_stats) as straightforward Python, independently of the Go
code, and writes river_reference.json. River itself is not installed here; the
streams of River's own doctests and regression tests are regenerated with
Python's random module so the Go tests can also check River's published
detection indices.

Run: python3 river_reference.py > river_reference.json
"""
import json
import math
import random


class PH:
    def __init__(self, min_instances=30, delta=0.005, threshold=50.0, alpha=1 - 0.0001, mode="both"):
        self.min_instances, self.delta, self.threshold, self.alpha, self.mode = (
            min_instances, delta, threshold, alpha, mode)
        self.drift = False
        self.reset()

    def reset(self):
        self.drift = False
        self.n = 0.0
        self.mean = 0.0
        self.sum_inc = 0.0
        self.sum_dec = 0.0
        self.min_inc = float("inf")
        self.max_dec = -1

    def update(self, x):
        if self.drift:
            self.reset()
        # river.stats.Mean.update with w = 1
        self.n += 1.0
        self.mean += (1.0 / self.n) * (x - self.mean)
        dev = x - self.mean
        self.sum_inc = self.alpha * self.sum_inc + dev - self.delta
        self.sum_dec = self.alpha * self.sum_dec + dev + self.delta
        if self.sum_inc < self.min_inc:
            self.min_inc = self.sum_inc
        if self.sum_dec > self.max_dec:
            self.max_dec = self.sum_dec
        if self.n >= self.min_instances:
            up = self.sum_inc - self.min_inc
            down = self.max_dec - self.sum_dec
            if self.mode == "up":
                self.drift = up > self.threshold
            elif self.mode == "down":
                self.drift = down > self.threshold
            else:
                self.drift = up > self.threshold or down > self.threshold
        return self.drift

    def snapshot(self):
        return {"n": int(self.n), "mean": self.mean, "sum_inc": self.sum_inc, "sum_dec": self.sum_dec,
                "min_inc": self.min_inc, "max_dec": float(self.max_dec), "drift": self.drift}


class Adwin:
    """Rows of buckets: rows[i] holds [total, variance] pairs of 2**i values, oldest first."""

    def __init__(self, delta=0.002, clock=32, max_buckets=5, min_window_length=5, grace_period=10):
        self.delta, self.clock, self.max_buckets, self.min_len, self.grace = (
            delta, clock, max_buckets, min_window_length, grace_period)
        self.drift = False
        self.reset()

    def reset(self):
        self.drift = False
        self.rows = [[]]
        self.width = 0.0
        self.total = 0.0
        self.variance = 0.0
        self.tick = 0

    def update(self, x):
        if self.drift:
            self.reset()
        self.insert(float(x))
        self.drift = self.detect()
        return self.drift

    def insert(self, x):
        self.rows[0].append([x, 0.0])
        self.width += 1
        inc = 0.0
        if self.width > 1.0:
            inc = (self.width - 1.0) * (x - self.total / (self.width - 1.0)) * (x - self.total / (self.width - 1.0)) / self.width
        self.variance += inc
        self.total += x
        # merge the two oldest buckets of each over-full row
        i = 0
        while i < len(self.rows) and len(self.rows[i]) == self.max_buckets + 1:
            if i + 1 == len(self.rows):
                self.rows.append([])
            size = math.pow(2, i)
            (t1, v1), (t2, v2) = self.rows[i][0], self.rows[i][1]
            mu1, mu2 = t1 / size, t2 / size
            temp = size * size * (mu1 - mu2) * (mu1 - mu2) / (size + size)
            self.rows[i + 1].append([t1 + t2, v1 + v2 + temp])
            del self.rows[i][:2]
            if len(self.rows[i + 1]) <= self.max_buckets:
                break
            i += 1

    def delete_oldest(self):
        last = len(self.rows) - 1
        n = math.pow(2, last)
        u, v = self.rows[last][0]
        mu = u / n
        self.width -= n
        self.total -= u
        mu_w = self.total / self.width
        self.variance -= v + n * self.width * (mu - mu_w) * (mu - mu_w) / (n + self.width)
        del self.rows[last][0]
        if not self.rows[last]:
            self.rows.pop()
        return n

    def cut(self, n0, n1, delta_mean):
        dp = math.log(2 * math.log(self.width) / self.delta)
        m = 1.0 / (n0 - self.min_len + 1) + 1.0 / (n1 - self.min_len + 1)
        eps = math.sqrt(2 * m * (self.variance / self.width) * dp) + 2 / 3 * dp * m
        return abs(delta_mean) > eps

    def detect(self):
        self.tick += 1
        change = False
        if self.tick % self.clock == 0 and self.width > self.grace:
            again = True
            while again:
                again = False
                done = False
                n0, n1, u0, u1 = 0.0, self.width, 0.0, self.total
                for idx in range(len(self.rows) - 1, -1, -1):
                    if done:
                        break
                    size = math.pow(2, idx)
                    cur = len(self.rows[idx])
                    for k in range(cur):
                        t = self.rows[idx][k][0]
                        n0 += size
                        n1 -= size
                        u0 += t
                        u1 -= t
                        if idx == 0 and k == cur - 1:
                            done = True  # the newest bucket: no cut after it
                            break
                        dm = u0 / n0 - u1 / n1
                        if n1 >= self.min_len and n0 >= self.min_len and self.cut(n0, n1, dm):
                            again = change = True
                            if self.width > 0:
                                self.delete_oldest()
                                done = True
                                break
        return change

    def snapshot(self):
        return {"width": self.width, "total": self.total, "variance": self.variance, "drift": self.drift,
                "rows": [list(map(list, r)) for r in self.rows]}


def detections(det, stream):
    return [i for i, x in enumerate(stream) if det.update(x)]


def fin(v):
    return None if math.isinf(v) else v


def main():
    out = {}
    # River's doctest stream (PageHinkley and ADWIN docstrings).
    rng = random.Random(12345)
    doc = rng.choices([0, 1], k=1000) + rng.choices(range(4, 8), k=1000)
    # River's test_adwin_regression.test_multiple_drifts stream.
    rng = random.Random(42)
    multi = (rng.choices([0, 1], k=1000) + rng.choices(range(4, 8), k=1000)
             + rng.choices([0, 1], k=1000) + rng.choices(range(4, 8), k=1000))
    # A float stream with noise and a step, to check arithmetic bit by bit.
    rng = random.Random(7)
    noisy = [100 + rng.gauss(0, 3) for _ in range(300)] + [110 + rng.gauss(0, 3) for _ in range(300)]
    out["streams"] = {"river_doc": doc, "river_multi": multi, "noisy": noisy}
    out["detections"] = {
        "page_hinkley/river_doc": detections(PH(), doc),
        "adwin/river_doc": detections(Adwin(), doc),
        "adwin/river_multi": detections(Adwin(), multi),
        "page_hinkley/noisy": detections(PH(), noisy),
        "adwin/noisy": detections(Adwin(), noisy),
        "adwin_clock1/noisy": detections(Adwin(clock=1), noisy),
    }
    ph, ad = PH(), Adwin()
    for x in noisy:
        ph.update(x)
        ad.update(x)
    s = ph.snapshot()
    s["min_inc"] = fin(s["min_inc"])
    out["final"] = {"page_hinkley/noisy": s, "adwin/noisy": ad.snapshot()}

    # Tiny, hand-checkable sequences with small parameters, every step recorded.
    tiny = [1, 1, 2, 1, 1, 5, 6, 5, 6, 1, 1, 1]
    ph = PH(min_instances=3, delta=0.5, threshold=4, alpha=0.5, mode="both")
    steps = []
    for x in tiny:
        ph.update(float(x))
        s = ph.snapshot()
        s["min_inc"] = fin(s["min_inc"])
        steps.append(s)
    out["tiny_page_hinkley"] = {
        "config": {"min_instances": 3, "delta": 0.5, "threshold": 4, "alpha": 0.5, "mode": "both"},
        "values": tiny, "steps": steps}
    tiny_a = [0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10]
    ad = Adwin(delta=0.1, clock=1, max_buckets=2, min_window_length=2, grace_period=4)
    steps = []
    for x in tiny_a:
        ad.update(x)
        steps.append(ad.snapshot())
    out["tiny_adwin"] = {
        "config": {"delta": 0.1, "clock": 1, "max_buckets": 2, "min_window_length": 2, "grace_period": 4},
        "values": tiny_a, "steps": steps}
    json.dump(out, __import__("sys").stdout, separators=(",", ":"))


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Generate scipy reference values for the drift tests (issue 12).

Run with Debian's scipy 1.10:  /usr/bin/python3 gen.py | gzip -9 -n > scipy_reference.json.gz
Every data set is seeded, and rounded to 4 decimals so that the JSON is small
(rounding also makes ties); the Go tests read the same numbers.
"""
import json

import numpy as np
import scipy
from scipy import stats
from scipy.spatial import distance

rng = np.random.default_rng(12)


def r(x):
    return [float(v) for v in np.round(np.asarray(x, dtype=float), 4)]


def psi(ref, cur, bins=10, eps=1e-4):
    ref = np.sort(np.asarray(ref))
    cur = np.asarray(cur)
    edges = np.quantile(ref, np.arange(1, bins) / bins)
    rc = np.bincount(np.searchsorted(edges, ref, side="right"), minlength=bins)
    cc = np.bincount(np.searchsorted(edges, cur, side="right"), minlength=bins)
    rp = np.where(rc == 0, eps, rc / len(ref))
    cp = np.where(cc == 0, eps, cc / len(cur))
    return float(np.sum((cp - rp) * np.log(cp / rp)))


ks_cases = [
    ("small unequal, shifted", r(rng.normal(0, 1, 50)), r(rng.normal(0.6, 1, 60))),
    ("small unequal, same", r(rng.normal(0, 1, 80)), r(rng.normal(0, 1, 70))),
    ("equal sizes", r(rng.normal(0, 1, 100)), r(rng.normal(0.3, 1, 100))),
    ("ties", r(rng.integers(0, 6, 80)), r(rng.integers(0, 7, 90))),
    ("identical", r([1, 2, 3, 4, 5]), r([5, 4, 3, 2, 1])),
    ("tiny", r([0.1, 0.2]), r([0.3])),
    ("exact at the switch 10000", r(rng.normal(0, 1, 10000)), r(rng.normal(0.02, 1, 900))),
    ("asymptotic 10001 vs 50", r(rng.normal(0, 1, 10001)), r(rng.normal(0.5, 1, 50))),
    ("asymptotic n<=140", r(rng.normal(0, 1, 12000)), r(rng.normal(0.1, 1, 120))),
    ("asymptotic large", r(rng.normal(0, 1, 20000)), r(rng.normal(0.01, 1, 15000))),
    ("asymptotic large drift", r(rng.normal(0, 1, 20000)), r(rng.normal(0.1, 1, 12000))),
    ("asymptotic tiny current", r(rng.normal(0, 1, 5)), r(rng.normal(0, 1, 20000))),
    ("asymptotic mid", r(rng.lognormal(0, 1, 11000)), r(rng.lognormal(0.05, 1, 400))),
    ("exact, coprime sizes", r(rng.normal(0, 1, 10000)), r(rng.normal(0.03, 1, 9999))),
]
ks = []
for name, a, b in ks_cases:
    res = stats.ks_2samp(a, b)
    ks.append({"name": name, "a": a, "b": b, "statistic": float(res.statistic), "pvalue": float(res.pvalue),
               "exact": max(len(a), len(b)) <= 10000})

num_cases = [
    ("normal shift", r(rng.normal(0, 1, 3000)), r(rng.normal(0.2, 1, 2000))),
    ("same", r(rng.normal(5, 2, 3000)), r(rng.normal(5, 2, 3000))),
    ("heavy tail", r(rng.lognormal(0, 1.5, 4000)), r(rng.lognormal(0.1, 1.5, 2500))),
    ("ties", r(rng.integers(0, 20, 2000)), r(rng.integers(2, 22, 1500))),
    ("scale change", r(rng.normal(0, 1, 2000)), r(rng.normal(0, 2, 2000))),
]
numeric = []
for name, a, b in num_cases:
    w = stats.wasserstein_distance(a, b)
    numeric.append({"name": name, "a": a, "b": b, "wasserstein": float(w),
                    "normed_wasserstein": float(w / np.std(a)), "psi": psi(a, b)})

cat_cases = [
    ("two categories", [30, 70], [45, 55]),
    ("five, same", [100, 200, 300, 150, 250], [52, 98, 151, 77, 122]),
    ("missing in current", [40, 30, 20, 10], [50, 35, 15, 0]),
    ("finish_reason", [900, 80, 20], [850, 120, 30]),
]
categorical = []
for name, ref, cur in cat_cases:
    ref_a, cur_a = np.asarray(ref, float), np.asarray(cur, float)
    res = stats.chisquare(cur_a, ref_a / ref_a.sum() * cur_a.sum())
    categorical.append({"name": name, "reference": ref, "current": cur, "chi2": float(res.statistic),
                        "chi2_pvalue": float(res.pvalue),
                        "js": float(distance.jensenshannon(ref_a, cur_a, base=2))})
# Jensen-Shannon alone where a category is missing on either side
js_only = []
for name, p, q in [("missing in reference", [0, 10, 20], [5, 10, 20]), ("disjoint", [1, 0], [0, 1]),
                   ("missing in current", [3, 4, 5], [3, 0, 5])]:
    js_only.append({"name": name, "reference": p, "current": q,
                    "js": float(distance.jensenshannon(p, q, base=2))})

prop = []
for name, x1, n1, x2, n2 in [("small", 40, 100, 55, 100), ("large tiny change", 100000, 1000000, 101000, 1000000),
                             ("error rate", 20, 5000, 60, 4000), ("equal", 7, 70, 7, 70)]:
    p1, p2 = x1 / n1, x2 / n2
    p = (x1 + x2) / (n1 + n2)
    z = (p2 - p1) / np.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    prop.append({"name": name, "x1": x1, "n1": n1, "x2": x2, "n2": n2, "z": float(z),
                 "pvalue": float(2 * stats.norm.sf(abs(z)))})

print(json.dumps({"scipy": scipy.__version__, "ks": ks, "numeric": numeric, "categorical": categorical,
                  "js": js_only, "proportion": prop}))

#!/usr/bin/env python3
"""Reference values for the SLO evaluator tests, computed independently of the Go code.

Run from the repository root:

    python3 slo/testdata/gen_evaluator_fixtures.py > slo/testdata/evaluator_fixtures.json

Definitions (Google SRE workbook, "Alerting on SLOs", and Sloth v0.16.0's alert windows):

- error budget      = 1 - objective/100
- burn rate (W)     = (bad / (good + bad) over window W) / error budget; 0 without events
- an evaluation at minute t sees the complete minutes [t - W, t) of each window W
- alert rows (budget share, long window, short window):
      page quick 2% 1h 5m, page slow 5% 6h 30m, ticket quick 10% 1d 2h, ticket slow 10% 3d 6h
  factor = share * period / long window (30d: 14.4, 6, 3, 1); a row holds when the bad ratio is
  strictly greater than factor * error budget in both windows, and each window holds at least
  min_events events
- a severity's alert is active while one of its rows holds; it fires in the first minute it is
  active and resolves in the first minute it is not
- SLI and budget remaining are over the period [t - period, t); budget remaining = 1 - period burn
- time to exhaustion = remaining * period / burn rate (5m); 0 once spent, -1 when nothing burns

Everything is exact (fractions) except the floats written out for burn rates.
"""

import json
from fractions import Fraction

WINDOWS = [("5m", 5), ("30m", 30), ("1h", 60), ("2h", 120), ("6h", 360), ("1d", 1440), ("3d", 4320)]
WMIN = dict(WINDOWS)
ROWS = [  # name, severity, budget percent, long, short
    ("page_quick", "page", 2, "1h", "5m"),
    ("page_slow", "page", 5, "6h", "30m"),
    ("ticket_quick", "ticket", 10, "1d", "2h"),
    ("ticket_slow", "ticket", 10, "3d", "6h"),
]
PERIODS = {"30d": 30 * 1440, "28d": 28 * 1440, "7d": 7 * 1440}


def factor(share, period_min, long_min):
    return Fraction(share, 100) * Fraction(period_min, long_min)


def budget(objective):
    return 1 - Fraction(objective) / 100  # Fraction("99.9") is exact


def expand(segments, n):
    good, bad = [0] * n, [0] * n
    for start, end, g, b in segments:
        for m in range(start, end):
            good[m] += g
            bad[m] += b
    return good, bad


def prefix(xs):
    out = [0]
    for x in xs:
        out.append(out[-1] + x)
    return out


def window_sum(pre, t, w):
    lo = max(0, t - w)
    return pre[t] - pre[lo]


def evaluate(scenario):
    n = scenario["minutes"]
    result = {"transitions": [], "rows": {}, "samples": []}
    for slo in scenario["slos"]:
        name, obj, period = slo["name"], slo["objective"], PERIODS[slo["period"]]
        min_events = slo["min_events"]
        eb = budget(obj)
        good, bad = expand(scenario["segments"][name], n)
        pg, pb = prefix(good), prefix(bad)

        def counts(t, w):
            return window_sum(pg, t, w), window_sum(pb, t, w)

        def row_holds(t, row):
            _, _, share, long_w, short_w = row
            thr = factor(share, period, WMIN[long_w]) * eb
            for w in (WMIN[long_w], WMIN[short_w]):
                g, b = counts(t, w)
                total = g + b
                if total == 0 or total < min_events or not Fraction(b, total) > thr:
                    return False
            return True

        intervals = {r[0]: [] for r in ROWS}
        active = {"page": None, "ticket": None}  # since
        for t in range(1, n + 1):
            holds = {r[0]: row_holds(t, r) for r in ROWS}
            for r in ROWS:
                iv = intervals[r[0]]
                if holds[r[0]]:
                    if iv and iv[-1][1] == t:
                        iv[-1][1] = t + 1
                    else:
                        iv.append([t, t + 1])
            for sev in ("page", "ticket"):
                now = any(holds[r[0]] for r in ROWS if r[1] == sev)
                if now and active[sev] is None:
                    active[sev] = t
                    result["transitions"].append({"slo": name, "severity": sev, "firing": True, "at": t, "since": t})
                elif not now and active[sev] is not None:
                    result["transitions"].append(
                        {"slo": name, "severity": sev, "firing": False, "at": t, "since": active[sev]})
                    active[sev] = None
        result["rows"][name] = intervals

        for t in scenario["sample_at"]:
            burn = []
            events = []
            for _, w in WINDOWS:
                g, b = counts(t, w)
                events.append(g + b)
                burn.append(float(Fraction(b, g + b) / eb) if g + b else 0.0)
            g, b = counts(t, period)
            if g + b:
                sli = Fraction(g, g + b)
                remaining = 1 - Fraction(b, g + b) / eb
            else:
                sli, remaining = Fraction(1), Fraction(1)
            if remaining <= 0:
                tte = 0.0
            elif burn[0] > 0:
                g5, b5 = counts(t, 5)
                tte = float(remaining * period * 60 / (Fraction(b5, g5 + b5) / eb))
            else:
                tte = -1.0
            result["samples"].append({
                "slo": name, "at": t, "burn_rates": burn, "window_events": events, "good": g, "bad": b,
                "sli": float(sli), "budget_remaining": float(remaining), "tte_seconds": tte,
            })
    order = {slo["name"]: i for i, slo in enumerate(scenario["slos"])}  # the file's order
    result["transitions"].sort(key=lambda x: (x["at"], order[x["slo"]], x["severity"]))
    return result


def scenarios():
    out = []
    # A fast burn at 2% errors for 6 hours after a clean day, then clean again: every row of the
    # table fires in turn, then resolves.
    out.append({
        "name": "burn-and-recover-30d",
        "minutes": 3200,
        "slos": [{"name": "avail", "objective": "99.9", "period": "30d", "min_events": 10}],
        "segments": {"avail": [[0, 1440, 100, 0], [1440, 1800, 98, 2], [1800, 3200, 100, 0]]},
        "sample_at": [1440, 1484, 1485, 1800, 1806, 2000, 3200],
    })
    # A slow burn after two clean days: 1.2% errors against a 99.5% objective only ever raises
    # the slow ticket, once the 3d window's ratio passes 0.5%.
    out.append({
        "name": "slow-burn-30d",
        "minutes": 6000,
        "slos": [{"name": "slow", "objective": "99.5", "period": "30d", "min_events": 10}],
        "segments": {"slow": [[0, 3000, 1000, 0], [3000, 5500, 988, 12], [5500, 6000, 1000, 0]]},
        "sample_at": [3000, 4800, 4801, 5709, 5710, 6000],
    })
    # Low traffic: one request every 10 minutes, one of them failing. min_events 10 keeps the
    # short windows quiet; 0 and 1 page on that single failure.
    segs = [[m, m + 1, 1, 0] for m in range(0, 2000, 10) if m != 600] + [[600, 601, 0, 1]]
    out.append({
        "name": "low-traffic",
        "minutes": 2000,
        "slos": [
            {"name": "quiet", "objective": "99", "period": "30d", "min_events": 10},
            {"name": "noisy", "objective": "99", "period": "30d", "min_events": 0},
            {"name": "one", "objective": "99", "period": "30d", "min_events": 1},
        ],
        "segments": {"quiet": segs, "noisy": segs, "one": segs},
        "sample_at": [601, 605, 606, 700],
    })
    # The same burst judged with each period: the factors scale, so the rows fire at different
    # minutes.
    burst = [[0, 720, 200, 0], [720, 900, 190, 10], [900, 2400, 200, 0]]
    out.append({
        "name": "periods",
        "minutes": 2400,
        "slos": [
            {"name": "p30", "objective": "99.5", "period": "30d", "min_events": 10},
            {"name": "p28", "objective": "99.5", "period": "28d", "min_events": 10},
            {"name": "p7", "objective": "99.5", "period": "7d", "min_events": 10},
        ],
        "segments": {"p30": burst, "p28": burst, "p7": burst},
        "sample_at": [721, 760, 900, 1500, 2400],
    })
    # A tie: 144 bad in 10000 is exactly 14.4 x 0.001, which does not exceed the page-quick
    # threshold; one more bad event does.
    out.append({
        "name": "exact-threshold",
        "minutes": 200,
        "slos": [{"name": "tie", "objective": "99.9", "period": "30d", "min_events": 10}],
        "segments": {"tie": [[59, 60, 9856, 144], [60, 61, 0, 1]]},
        "sample_at": [60, 61, 62],
    })
    return out


def main():
    fixtures = {
        "factors": {p: [float(factor(r[2], PERIODS[p], WMIN[r[3]])) for r in ROWS] for p in PERIODS},
        "scenarios": [],
    }
    for sc in scenarios():
        sc = dict(sc)
        sc["expected"] = evaluate(sc)
        fixtures["scenarios"].append(sc)
    print(json.dumps(fixtures, indent=1))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Seed data and expected numbers for `flywheel slo status` and `slo report`.

Writes minutes.csv and alerts.csv (what the Go test seeds into a SQLite store)
and expected.json (what the commands must print as JSON), computed here with
exact fractions, independently of the Go code:

    python3 gen_slo_fixtures.py

The SLOs are those of flywheel.yaml: api (availability, 99, 7d, min_events 10)
and ttft (95, 30d, min_events 10).
"""
import csv
import json
from datetime import datetime, timedelta, timezone
from fractions import Fraction

AT = datetime(2026, 3, 8, 12, 0, 30, tzinfo=timezone.utc)  # --at
NOW = AT.replace(second=0)  # windows end at the start of AT's minute
DAYS = 7  # --since 7d
START = NOW - timedelta(days=10)  # first hour with data

SLOS = {
    "api": {"objective": Fraction(99), "period_days": 7, "min_events": 10},
    "ttft": {"objective": Fraction(95), "period_days": 30, "min_events": 10},
}
WINDOWS = [("5m", 5), ("30m", 30), ("1h", 60), ("2h", 120), ("6h", 360), ("1d", 1440), ("3d", 4320)]
# (severity, budget percent, long window, short window): the workbook's table.
ROWS = [("page", 2, "1h", "5m"), ("page", 5, "6h", "30m"), ("ticket", 10, "1d", "2h"), ("ticket", 10, "3d", "6h")]


def minute_no(t):
    return int(t.timestamp()) // 60


def data():
    """{slo: {minute number: (good, bad)}}"""
    out = {"api": {}, "ttft": {}}
    t, h = START, 0
    while t < NOW:
        # api: one busy minute an hour, a bad event every fifth hour.
        out["api"][minute_no(t + timedelta(minutes=7))] = (100 + (h * 7) % 50, 1 if h % 5 == 0 else 0)
        # ttft: one minute an hour.
        out["ttft"][minute_no(t + timedelta(minutes=31))] = (200, 20 if h % 3 == 0 else 5)
        t += timedelta(hours=1)
        h += 1
    # api burns from 10:00 to 12:00 today: 50 events a minute, 10 bad.
    t = NOW - timedelta(hours=2)
    while t < NOW:
        m = minute_no(t)
        g, b = out["api"].get(m, (0, 0))
        out["api"][m] = (g + 40, b + 10)
        t += timedelta(minutes=1)
    return out


ALERTS = [  # what the alert log holds (flywheel serve would have written it)
    ("api", "page", "2026-03-05T03:10:00Z", "2026-03-05T03:55:00Z"),
    ("api", "ticket", "2026-03-07T23:30:00Z", "2026-03-08T01:10:00Z"),
    ("api", "page", "2026-03-08T10:04:00Z", ""),
    ("ttft", "ticket", "2026-02-20T08:00:00Z", "2026-02-21T09:00:00Z"),  # before the report
]


def status(name, slo, counts):
    now = minute_no(NOW)
    period = slo["period_days"] * 1440
    budget = 1 - slo["objective"] / 100
    good = sum(g for m, (g, b) in counts.items() if now - period <= m < now)
    bad = sum(b for m, (g, b) in counts.items() if now - period <= m < now)

    def window(end, minutes):
        # Only what the evaluator loaded: the period before now.
        lo = max(end - minutes, now - period)
        g = sum(v[0] for m, v in counts.items() if lo <= m < end)
        b = sum(v[1] for m, v in counts.items() if lo <= m < end)
        return g, b, end - minutes >= now - period

    def holds(row, end):
        sev, share, long, short = row
        factor = Fraction(share * period, 100 * dict(WINDOWS)[long])
        for w in (long, short):
            g, b, inside = window(end, dict(WINDOWS)[w])
            if not inside or g + b < slo["min_events"] or g + b == 0 or Fraction(b, g + b) <= factor * budget:
                return False
        return True

    def fires(sev, end):
        return any(holds(r, end) for r in ROWS if r[0] == sev)

    alerts = []
    for sev in ("page", "ticket"):
        a = {"severity": sev, "active": fires(sev, now),
             "quick": holds([r for r in ROWS if r[0] == sev][0], now),
             "slow": holds([r for r in ROWS if r[0] == sev][1], now)}
        if a["active"]:
            j = 1
            while fires(sev, now - j):
                j += 1
            a["since"] = (NOW - timedelta(minutes=j - 1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        alerts.append(a)
    rates, events = [], []
    for _, w in WINDOWS:
        g, b, _ = window(now, w)
        events.append(g + b)
        rates.append(float(Fraction(b, g + b) / budget) if g + b else 0.0)
    return {
        "name": name, "good": good, "bad": bad,
        "sli": float(Fraction(good, good + bad)) if good + bad else 1.0,
        "error_budget_remaining": float(1 - Fraction(bad, good + bad) / budget) if good + bad else 1.0,
        "burn_rates": rates, "window_events": events, "alerts": alerts,
    }


def report(name, slo, counts):
    now = minute_no(NOW)
    period = slo["period_days"] * 1440
    budget = 1 - slo["objective"] / 100
    period_events = sum(g + b for m, (g, b) in counts.items() if now - period <= m < now)
    first = NOW.replace(hour=0, minute=0) - timedelta(days=DAYS - 1)
    days = []
    for d in range(DAYS):
        lo, hi = first + timedelta(days=d), first + timedelta(days=d + 1)
        g = sum(v[0] for m, v in counts.items() if minute_no(lo) <= m < min(minute_no(hi), now))
        b = sum(v[1] for m, v in counts.items() if minute_no(lo) <= m < min(minute_no(hi), now))
        alerts = []
        for slo_name, sev, start, end in ALERTS:
            s = datetime.strptime(start, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
            e = datetime.strptime(end, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc) if end else None
            if slo_name == name and s < hi and (e is None or e > lo):
                alerts.append({"severity": sev, "start": start, "end": end})
        days.append({"day": lo.strftime("%Y-%m-%d"), "good": g, "bad": b,
                     "sli": float(Fraction(g, g + b)) if g + b else 1.0,
                     "budget_spent": float(Fraction(b) / (budget * period_events)) if period_events else 0.0,
                     "alerts": alerts})
    return {"name": name, "period_events": period_events, "error_budget": float(budget),
            "good": sum(d["good"] for d in days), "bad": sum(d["bad"] for d in days),
            "budget_spent": float(sum(Fraction(d["bad"]) for d in days) / (budget * period_events)),
            "days": days, "from": first.strftime("%Y-%m-%dT%H:%M:%SZ")}


def main():
    counts = data()
    with open("minutes.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["slo", "minute", "good", "bad"])
        for name in sorted(counts):
            for m in sorted(counts[name]):
                t = datetime.fromtimestamp(m * 60, tz=timezone.utc)
                w.writerow([name, t.strftime("%Y-%m-%dT%H:%M:%SZ"), *counts[name][m]])
    with open("alerts.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["slo", "severity", "start", "end"])
        w.writerows(ALERTS)
    expected = {
        "at": AT.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "status": [status(n, SLOS[n], counts[n]) for n in ("api", "ttft")],
        "report": [report(n, SLOS[n], counts[n]) for n in ("api", "ttft")],
    }
    with open("expected.json", "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()

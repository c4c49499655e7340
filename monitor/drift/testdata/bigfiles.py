#!/usr/bin/python3
"""Write two CSV files of 1M rows x 5 columns for the `monitor drift` benchmark.

/usr/bin/python3 monitor/drift/testdata/bigfiles.py /tmp/ref.csv /tmp/cur.csv
"""
import sys

import numpy as np


def write(path, seed, shift, rows=1_000_000):
    rng = np.random.default_rng(seed)
    reasons = np.array(["stop", "length", "tool_calls", "content_filter"])
    cols = [
        np.char.mod("%.4f", rng.normal(shift, 1, rows)),
        np.char.mod("%.2f", 100 * np.exp(rng.normal(shift, 1, rows))),
        rng.integers(0, 500, rows).astype(str),
        reasons[rng.integers(0, 4, rows)],
        rng.integers(0, 2, rows).astype(str),
    ]
    with open(path, "w") as f:
        f.write("score,latency_ms,tokens,finish_reason,thumbs_up\n")
        f.write("\n".join(",".join(r) for r in zip(*cols)))
        f.write("\n")


write(sys.argv[1], 1, 0.0)
write(sys.argv[2], 2, 0.05)

// Package detect holds streaming change detectors for per-minute monitoring
// values (p95 latency, p95 time to first token, error rate, feedback rate):
// Page-Hinkley and ADWIN, reproducing the update rules of River, the Python
// online machine-learning library (river.drift.PageHinkley and
// river.drift.ADWIN with its Cython helper adwin_c.pyx), with River's
// defaults.
//
// A detector sees one value at a time through Update, which reports whether
// that value completed a detection. As in River, a detector resets itself on
// the first value after a detection. NaN and ±Inf values (and finite values
// whose magnitude exceeds MaxAbs, whose squares would overflow the running
// variance) are ignored and counted, never folded into the state.
//
// State survives a restart: every detector marshals to a compact JSON value
// (MarshalJSON) and is rebuilt from it (UnmarshalJSON, or Restore when the
// kind is not known in advance); a restored detector continues exactly as the
// uninterrupted one would have.
//
// Deviations from River are listed on each type; docs/monitoring.md
// gives the detection delays and false-alarm counts measured by the tests.
package detect

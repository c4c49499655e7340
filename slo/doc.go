// Package slo judges every inference against the configured service level
// objectives, aggregates the judgements per minute, and evaluates error
// budgets and multi-window, multi-burn-rate alerts (the Google SRE
// workbook's table) on an injected clock. It also writes the equivalent
// Prometheus rule file, with Sloth's rule names and labels.
//
// The request path only judges and counts (Recorder); everything else reads
// per-minute counts, so any window is computed from minutes, never from
// inferences.
package slo

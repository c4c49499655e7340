// Package store is Flywheel's record of what the gateway saw and what people
// said about it: one row per inference (route, target, outcome, timings,
// tokens and, when capture allows, the prompt and the answer) and one per
// piece of feedback, tied to an inference or to a whole episode.
//
// Store is the interface the other packages use; the drivers are
// store/sqlite (the zero set-up default, a local file) and store/postgres
// (several gateway replicas sharing one record). store/open opens the one a
// configuration names, store/writer is the telemetry sink that batches
// inference events into a Store without ever blocking a request, and
// store/storetest is the conformance suite both drivers pass.
//
// Later parts of Flywheel (experiment assignments, learning checkpoints)
// extend the schema with their own migrations, numbered after the ones
// here, and add their own interfaces next to Store.
package store

// Package config loads Flywheel's YAML configuration file.
//
// Load and Parse read the file strictly: an unknown key, a duplicate key or a
// value of the wrong type is an error, defaults are filled in for every key
// that is absent, and every setting is validated. All problems are reported
// at once, sorted by line, each naming the file, the line and the key path:
//
//	flywheel.yaml:14: backends[1].breaker.failure_rate: must be in (0,1], got 1.5
//
// Durations are Go durations ("30s", "1m30s"); sizes are a number of bytes or
// a number with a unit ("4MiB"). Keys starting with "x-" at the top level are
// ignored, so that they can hold YAML anchors for merge keys ("<<: *name").
//
// The breaker and retry sections of a backend map onto the resilience
// package's BreakerConfig and RetryConfig (BreakerSpec.ToResilience,
// RetrySpec.ToResilience).
//
// Adding a section is adding a field with a yaml tag to Config: the strict
// decoder walks the structs by reflection, so unknown keys, types and line
// numbers come for free. Items of a list get their defaults from a
// SetDefaults method; a section checks its values in an unexported validate
// method (see validate.go).
package config

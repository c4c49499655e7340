// Package bench holds side-by-side benchmarks of Flywheel's packages against
// the libraries people would otherwise pick. It is its own module so that the
// main module does not depend on them. Run:
//
//	cd bench && go test -run '^$' -bench . -benchmem -count 5
package bench

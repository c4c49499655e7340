// Package deptest lets a package's tests pin what it may import: the
// packages meant to be imported by other programs (health, resilience) must
// not pull in database drivers, gopsutil or the Prometheus client, which
// live in their own subpackages.
package deptest

import (
	"os/exec"
	"strings"
	"testing"
)

// Forbid fails t when the package pkg (an import path, or "." for the
// package under test) depends, directly or through other packages, on a
// package whose import path is one of forbidden or lies under one of them.
// It runs `go list -deps`, which `go test` finds on PATH; test files are not
// counted.
func Forbid(t testing.TB, pkg string, forbidden ...string) {
	t.Helper()
	deps, err := Deps(pkg)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range forbidden {
		var hits []string
		for _, d := range deps {
			if d == f || strings.HasPrefix(d, f+"/") {
				hits = append(hits, d)
			}
		}
		if len(hits) > 0 {
			t.Errorf("%s depends on %s (%d package(s): %s); move the code that needs it to a subpackage",
				pkg, f, len(hits), strings.Join(hits, ", "))
		}
	}
}

// Deps returns the import paths of every package pkg depends on, itself
// included, as `go list -deps` prints them.
func Deps(pkg string) ([]string, error) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		return nil, err
	}
	out, err := exec.Command(goBin, "list", "-deps", "-f", "{{.ImportPath}}", pkg).CombinedOutput()
	if err != nil {
		return nil, &listError{pkg: pkg, err: err, out: string(out)}
	}
	return strings.Fields(string(out)), nil
}

type listError struct {
	pkg string
	err error
	out string
}

func (e *listError) Error() string {
	return "go list -deps " + e.pkg + ": " + e.err.Error() + ": " + e.out
}
func (e *listError) Unwrap() error { return e.err }

package catalog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// ErrToolNotFound is returned by a [Runner] when the program is not
// installed. Detection treats it as "no such device", not as a failure.
var ErrToolNotFound = errors.New("tool not found")

// Runner runs an external program and returns its standard output. Tests
// replace it with fixtures; [ExecRunner] runs real programs.
type Runner interface {
	// Run runs name with args until it exits or ctx is done.
	Run(ctx context.Context, name string, args ...string) ([]byte, error)
}

// RunnerFunc adapts a function to the [Runner] interface.
type RunnerFunc func(ctx context.Context, name string, args ...string) ([]byte, error)

// Run calls f.
func (f RunnerFunc) Run(ctx context.Context, name string, args ...string) ([]byte, error) {
	return f(ctx, name, args...)
}

// ExecRunner runs programs found on PATH. Its zero value is ready to use.
type ExecRunner struct{}

// Run runs the program, killing it when ctx is done. A program missing from
// PATH yields an error wrapping [ErrToolNotFound]; a non-zero exit yields
// an error carrying the first line of its standard error.
func (ExecRunner) Run(ctx context.Context, name string, args ...string) ([]byte, error) {
	path, err := exec.LookPath(name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, ErrToolNotFound)
	}
	cmd := exec.CommandContext(ctx, path, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.WaitDelay = time.Second // a killed tool's children may hold its pipes
	out, err := cmd.Output()
	if ctxErr := ctx.Err(); ctxErr != nil {
		return out, fmt.Errorf("%s: %w", name, ctxErr)
	}
	if err != nil {
		msg, _, _ := strings.Cut(strings.TrimSpace(stderr.String()), "\n")
		if msg == "" {
			msg, _, _ = strings.Cut(strings.TrimSpace(string(out)), "\n")
		}
		return out, fmt.Errorf("%s: %w: %s", name, err, msg)
	}
	return out, nil
}

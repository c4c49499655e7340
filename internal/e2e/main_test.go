package e2e

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run if a gateway, simulator or client goroutine
// outlives the tests.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

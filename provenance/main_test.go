package provenance

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run if a registry call leaves a goroutine behind.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

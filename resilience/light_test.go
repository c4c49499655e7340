package resilience_test

import (
	"testing"

	"github.com/flywheel-stack/flywheel/internal/deptest"
)

// TestImportsStayLight pins that importing resilience pulls in no
// Prometheus client (resilience/resilienceprom holds the collector) and no
// other heavy dependency.
func TestImportsStayLight(t *testing.T) {
	t.Parallel()
	deptest.Forbid(t, ".", "github.com/prometheus", "github.com/jackc/pgx", "github.com/redis/go-redis",
		"github.com/shirou/gopsutil", "go.yaml.in/yaml")
}

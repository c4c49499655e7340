package health

import (
	"testing"

	"github.com/flywheel-stack/flywheel/internal/deptest"
)

// TestImportsStayLight pins that importing health pulls in no database
// driver, gopsutil or Prometheus client: those checks live in
// health/postgrescheck, health/redischeck, health/hostcheck and
// health/healthprom.
func TestImportsStayLight(t *testing.T) {
	t.Parallel()
	deptest.Forbid(t, ".", "github.com/jackc/pgx", "github.com/redis/go-redis", "github.com/shirou/gopsutil",
		"github.com/prometheus", "github.com/flywheel-stack/flywheel/config", "go.yaml.in/yaml")
}

package simulate

import "github.com/flywheel-stack/flywheel/clock"

// DefaultDimensions is the length of embedding vectors when
// Config.Dimensions is 0.
const DefaultDimensions = 384

// DefaultMaxBodyBytes bounds request bodies when Config.MaxBodyBytes is 0.
const DefaultMaxBodyBytes = 8 << 20

// Config configures a Server. The zero value serves any model name, answers
// at once and injects no faults.
type Config struct {
	// Models are the model names served, in the order /v1/models lists
	// them. A request for another name gets 404 model_not_found. When
	// empty, every name is accepted and echoed, and /v1/models is empty.
	Models []string
	// Dimensions is the length of embedding vectors (default 384). A
	// request's own "dimensions" field overrides it.
	Dimensions int
	// Seed makes the error_rate decisions reproducible: the same seed and
	// the same sequence of requests inject errors into the same requests.
	// 0 seeds from a random source.
	Seed uint64
	// Faults are in force from the start. A LoadingFor here counts from
	// New. ResetFaults keeps their TTFT and TokensPerSecond.
	Faults Faults
	// Clock measures loading periods, time to first token and pace, and
	// stamps "created". Nil means the wall clock; tests use clock.NewFake.
	Clock clock.Clock
	// MaxBodyBytes bounds request bodies (413 beyond it); 0 means 8 MiB.
	MaxBodyBytes int64
}

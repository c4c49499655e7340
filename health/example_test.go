package health_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/flywheel-stack/flywheel/health"
)

// A checker with a critical and a non-critical check: the failing cache
// makes readiness warn, still 200, and the verbose listing says why.
func ExampleChecker() {
	c, err := health.New(health.Options{ServiceID: "knowledge-db", Performance: health.PerfOptions{Disabled: true}},
		health.Check{Name: "postgres", Func: func(context.Context) health.Result { return health.Passf("") }},
		health.Check{Name: "cache", NonCritical: true, Weight: 0.5,
			Func: func(context.Context) health.Result { return health.Failf("PING: connection refused") }},
	)
	if err != nil {
		panic(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Start(ctx); err != nil {
		panic(err)
	}
	defer c.Stop()
	if err := c.WaitFirstRun(ctx); err != nil {
		panic(err)
	}

	mux := http.NewServeMux()
	c.Register(mux) // /livez /readyz /startupz /healthz
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz?verbose", nil))
	fmt.Println(rec.Code)
	fmt.Println(rec.Body.String())
	fmt.Printf("score %.1f\n", c.Score())
	// Output:
	// 200
	// [+]postgres ok
	// [-]cache failed (non-critical): PING: connection refused
	// readyz check passed
	// score 66.7
}

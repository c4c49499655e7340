package health

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestHealthzReport(t *testing.T) {
	t.Parallel()
	sampler := func(context.Context) (PerfSample, error) {
		return PerfSample{CPUPercent: 93.5, MemoryPercent: 40, DiskPercent: 50, RSSBytes: 1 << 20, Goroutines: 12}, nil
	}
	tests := []struct {
		name       string
		postgres   Result
		wantCode   int
		wantStatus Status
		wantScore  float64
	}{
		{"warn is 200", pass, http.StatusOK, StatusWarn, 100 * 1 / 1.5},
		{"fail is 503", Failf("connect: dial tcp 127.0.0.1:1: connection refused"), http.StatusServiceUnavailable, StatusFail, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, _ := startChecker(t, Options{ServiceID: "flywheel-test", Version: "1", Description: "test gateway",
				Performance: PerfOptions{Sampler: sampler}},
				Check{Name: "postgres", Func: newScript(tt.postgres).run, ComponentType: "datastore"},
				Check{Name: "redis", Func: newScript(fail).run, NonCritical: true, Weight: 0.5},
			)
			for _, n := range []string{"postgres", "redis", "system"} {
				waitRuns(t, c, n, 1)
			}
			rec := httptest.NewRecorder()
			c.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
			if rec.Code != tt.wantCode {
				t.Errorf("code %d, want %d", rec.Code, tt.wantCode)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/health+json" {
				t.Errorf("Content-Type %q", ct)
			}
			var rep struct {
				Status      Status                      `json:"status"`
				Version     string                      `json:"version"`
				ServiceID   string                      `json:"serviceId"`
				Description string                      `json:"description"`
				Score       float64                     `json:"score"`
				Probes      map[string]Status           `json:"probes"`
				Checks      map[string][]map[string]any `json:"checks"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &rep); err != nil {
				t.Fatalf("body is not JSON: %v\n%s", err, rec.Body)
			}
			if rep.Status != tt.wantStatus || rep.Version != "1" || rep.ServiceID != "flywheel-test" || rep.Description != "test gateway" {
				t.Errorf("report header = %+v", rep)
			}
			if want := float64(int(tt.wantScore*100+0.5)) / 100; rep.Score != want {
				t.Errorf("score %v, want %v", rep.Score, want)
			}
			if rep.Probes["livez"] != StatusPass {
				t.Errorf("probes %v: liveness should pass", rep.Probes)
			}
			for _, key := range []string{"postgres:responseTime", "redis:responseTime", "heartbeat:age",
				"cpu:utilization", "memory:utilization", "disk:utilization", "process:rss", "process:goroutines"} {
				if len(rep.Checks[key]) != 1 {
					t.Errorf("checks[%q] = %v, want one entry", key, rep.Checks[key])
				}
			}
			pg := rep.Checks["postgres:responseTime"][0]
			if pg["componentId"] != "postgres" || pg["componentType"] != "datastore" || pg["observedUnit"] != "ms" ||
				pg["status"] != string(tt.postgres.Status) || pg["time"] != "2025-01-02T03:04:05Z" {
				t.Errorf("postgres entry = %v", pg)
			}
			cpu := rep.Checks["cpu:utilization"][0]
			if cpu["observedValue"] != 93.5 || cpu["observedUnit"] != "%" || cpu["status"] != "warn" ||
				cpu["output"] != "cpu use 93.5% above 80%" || cpu["componentType"] != "system" {
				t.Errorf("cpu entry = %v", cpu)
			}
			if mem := rep.Checks["memory:utilization"][0]; mem["status"] != "pass" {
				t.Errorf("memory entry = %v", mem)
			}
			if redis := rep.Checks["redis:responseTime"][0]; redis["status"] != "fail" || redis["output"] != "connection refused" {
				t.Errorf("redis entry = %v", redis)
			}
		})
	}
}

func TestReportOutputNamesProblems(t *testing.T) {
	t.Parallel()
	c := probeFixture(t)
	rep := c.Report()
	want := "failing: heartbeat, llama; warning: redis (non-critical), breakers"
	if rep.Output != want {
		t.Errorf("Output = %q, want %q", rep.Output, want)
	}
	if rep.Status != StatusFail {
		t.Errorf("Status = %q", rep.Status)
	}
	if e := rep.Checks["llama:responseTime"][0]; e.Status != StatusFail || e.ObservedValue != 0.0 {
		t.Errorf("llama entry %+v", e)
	}
}

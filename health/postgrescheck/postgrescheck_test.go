package postgrescheck

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/flywheel-stack/flywheel/health"
	"github.com/flywheel-stack/flywheel/internal/testenv"
)

// withURL returns dsn (a postgres:// URL) changed by edit.
func withURL(t *testing.T, dsn string, edit func(*url.URL)) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme == "" {
		t.Fatalf("FLYWHEEL_TEST_POSTGRES_DSN must be a postgres:// URL for this test")
	}
	edit(u)
	return u.String()
}

// The local server uses trust authentication, which accepts any password,
// so a wrong password cannot fail against it; TestPostgresWrongPassword
// uses a wire-protocol stub instead, and this test covers an unknown role
// and an unknown database against the real server.
func TestDialCheck(t *testing.T) {
	t.Parallel()
	dsn := testenv.PostgresDSN(t)
	tests := []struct {
		name    string
		dsn     string
		want    health.Status
		wantOut string
	}{
		{"reachable", dsn, health.StatusPass, ""},
		{"wrong port", withURL(t, dsn, func(u *url.URL) { u.Host = "127.0.0.1:1" }), health.StatusFail, "connection refused"},
		{"unknown role", withURL(t, dsn, func(u *url.URL) { u.User = url.UserPassword("flywheel_no_such_role", "pw-secret-1") }),
			health.StatusFail, `role "flywheel_no_such_role" does not exist`},
		{"unknown database", withURL(t, dsn, func(u *url.URL) { u.Path = "/flywheel_no_such_db" }),
			health.StatusFail, `database "flywheel_no_such_db" does not exist`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			r := DialCheck(tt.dsn)(ctx)
			if r.Status != tt.want || !strings.Contains(r.Output, tt.wantOut) {
				t.Errorf("got %q %q, want %q containing %q", r.Status, r.Output, tt.want, tt.wantOut)
			}
			if strings.Contains(r.Output, "pw-secret-1") {
				t.Errorf("output leaks the password: %q", r.Output)
			}
		})
	}
}

func TestPostgresCheckWithConn(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, testenv.PostgresDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	check := Check(conn)
	if r := check(ctx); r.Status != health.StatusPass {
		t.Fatalf("open conn: %q %q", r.Status, r.Output)
	}
	if err := conn.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if r := check(ctx); r.Status != health.StatusFail || !strings.Contains(r.Output, "SELECT 1: conn closed") {
		t.Errorf("closed conn: %q %q", r.Status, r.Output)
	}
}

// pgPasswordStub speaks enough of the PostgreSQL wire protocol to ask for a
// cleartext password and reject it as a real server would.
func pgPasswordStub(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			be := pgproto3.NewBackend(conn, conn)
			if _, err := be.ReceiveStartupMessage(); err == nil {
				be.Send(&pgproto3.AuthenticationCleartextPassword{})
				_ = be.SetAuthType(pgproto3.AuthTypeCleartextPassword)
				if be.Flush() == nil {
					if _, err := be.Receive(); err == nil {
						be.Send(&pgproto3.ErrorResponse{Severity: "FATAL", SeverityUnlocalized: "FATAL", Code: "28P01",
							Message: `password authentication failed for user "app"`})
						_ = be.Flush()
					}
				}
			}
			_ = conn.Close()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		<-done
	})
	return ln.Addr().String()
}

func TestPostgresWrongPassword(t *testing.T) {
	t.Parallel()
	addr := pgPasswordStub(t)
	for _, dsn := range []string{
		"postgres://app:wrong-pw-777@" + addr + "/app?sslmode=disable",
		"host=" + strings.Split(addr, ":")[0] + " port=" + strings.Split(addr, ":")[1] + " user=app password=wrong-pw-777 dbname=app sslmode=disable",
	} {
		r := DialCheck(dsn)(t.Context())
		if r.Status != health.StatusFail || !strings.Contains(r.Output, `password authentication failed for user "app"`) {
			t.Errorf("got %q %q, want a readable password failure", r.Status, r.Output)
		}
		if strings.Contains(r.Output, "wrong-pw-777") {
			t.Errorf("output leaks the password: %q", r.Output)
		}
	}
}

func TestPostgresThroughChecker(t *testing.T) {
	t.Parallel()
	dsn := testenv.PostgresDSN(t)
	c, err := health.NewFromSpecs(health.Options{Listener: health.ListenerFunc(func(health.Change) {})},
		health.Spec{Name: "postgres", Kind: "postgres", DSN: dsn},
		health.Spec{Name: "postgres-replica", Kind: "postgresql", DSN: withURL(t, dsn, func(u *url.URL) { u.Host = "127.0.0.1:1" }), NonCritical: true},
	)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	if err := c.WaitFirstRun(ctx); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	c.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz?verbose", nil))
	if body := rec.Body.String(); rec.Code != 200 || !strings.Contains(body, "[+]postgres ok\n[-]postgres-replica failed (non-critical): connect: ") {
		t.Errorf("GET /readyz?verbose = %d %q", rec.Code, body)
	}
}

func TestSpecWithoutDSN(t *testing.T) {
	t.Parallel()
	if _, err := health.ChecksFromSpec(health.Spec{Name: "pg", Kind: "postgres"}); !errors.Is(err, health.ErrInvalidCheck) ||
		!strings.Contains(err.Error(), "postgres needs a dsn") {
		t.Errorf("err = %v, want ErrInvalidCheck: postgres needs a dsn", err)
	}
}

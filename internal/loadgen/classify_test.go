package loadgen

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
)

func TestClassify(t *testing.T) {
	t.Parallel()
	live := context.Background()
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		err  error
		want string
	}{
		{"nil", live, nil, ""},
		{"refused", live, &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}, ClassConnect},
		{"dial other", live, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("no such host")}, ClassConnect},
		{"deadline", live, fmt.Errorf("Post: %w", context.DeadlineExceeded), ClassTimeout},
		{"read deadline", live, &net.OpError{Op: "read", Err: os.ErrDeadlineExceeded}, ClassTimeout},
		{"reset", live, &net.OpError{Op: "read", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, ClassReset},
		{"eof", live, fmt.Errorf("Post: %w", io.EOF), ClassReset},
		{"unexpected eof", live, io.ErrUnexpectedEOF, ClassReset},
		{"run ended", ended, fmt.Errorf("Post: %w", context.Canceled), ClassCancelled},
		{"canceled while the run lives", live, context.Canceled, ClassIO},
		{"other", live, errors.New("malformed HTTP response"), ClassIO},
	}
	for _, tt := range tests {
		if got := classify(tt.ctx, tt.err); got != tt.want {
			t.Errorf("%s: classify(%v) = %q, want %q", tt.name, tt.err, got, tt.want)
		}
	}
	if got := statusClass(503); got != "status_503" {
		t.Errorf("statusClass(503) = %q", got)
	}
	if countsAgainst("") || countsAgainst(ClassCancelled) || !countsAgainst(ClassTimeout) {
		t.Error("countsAgainst: want only real failures to count")
	}
}

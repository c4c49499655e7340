package gateway

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/iotest"
)

func TestReadAll(t *testing.T) {
	t.Parallel()
	body := strings.Repeat("abcdefghij", 100) // 1000 bytes
	tests := []struct {
		name string
		size int64
	}{
		{"unknown size", -1},
		{"exact size", 1000},
		{"announced shorter", 10},
		{"announced longer", 5000},
		{"zero announced", 0},
	}
	for _, tt := range tests {
		for _, r := range []io.Reader{strings.NewReader(body), iotest.OneByteReader(strings.NewReader(body)),
			iotest.DataErrReader(strings.NewReader(body))} {
			got, err := readAll(r, tt.size, 1<<20)
			if err != nil || string(got) != body {
				t.Errorf("%s: %d bytes, %v; want the whole body", tt.name, len(got), err)
			}
		}
	}
	if got, err := readAll(strings.NewReader(""), 0, 10); err != nil || len(got) != 0 {
		t.Errorf("empty: %q, %v", got, err)
	}
	boom := errors.New("boom")
	if _, err := readAll(iotest.ErrReader(boom), 100, 1000); !errors.Is(err, boom) {
		t.Errorf("read error: %v, want boom", err)
	}
}

func TestReadAllKeepsTheBodyLimit(t *testing.T) {
	t.Parallel()
	// A client that announces 10 bytes and sends more still hits the
	// MaxBytesReader.
	rec := httptest.NewRecorder()
	r := http.MaxBytesReader(rec, io.NopCloser(bytes.NewReader(make([]byte, 100))), 50)
	_, err := readAll(r, 10, 50)
	var tooLarge *http.MaxBytesError
	if !errors.As(err, &tooLarge) {
		t.Errorf("err %v, want *http.MaxBytesError", err)
	}
}

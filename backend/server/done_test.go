package server

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stockstream/stockstream/backend/config"
)

// TestDoneWhenServingFails: a listener that fails under the server closes
// Done, and Close says why instead of shutting down cleanly.
func TestDoneWhenServingFails(t *testing.T) {
	cfg, err := config.ParseServe([]string{"--addr", "127.0.0.1:0", "--simulator=false"}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var logs lockedBuilder
	s := New(cfg, nil, slog.New(slog.NewTextHandler(&logs, nil)))
	if err := s.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	s.ln.Close()
	select {
	case <-s.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("Done was not closed when the listener failed")
	}
	if err := s.Close(); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Fatalf("close: %v, want the listener's error", err)
	}
	if strings.Contains(logs.String(), "stopped cleanly") {
		t.Fatalf("a server that failed logged a clean stop:\n%s", logs.String())
	}
}

// lockedBuilder is a strings.Builder safe for concurrent use.
type lockedBuilder struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuilder) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuilder) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

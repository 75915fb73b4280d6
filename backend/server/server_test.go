package server_test

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stockstream/stockstream/backend/config"
	"github.com/stockstream/stockstream/backend/feed"
	"github.com/stockstream/stockstream/backend/server"
	"github.com/stockstream/stockstream/backend/streamtest"
	"github.com/stockstream/stockstream/shared/pricefile"
	"github.com/stockstream/stockstream/shared/sse"
)

const token = "server-test-token"

// logBuffer is a log safe for the server's goroutines and the test.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// parse returns the configuration of serve's flags, on a free loopback
// port with a publish token unless args say otherwise.
func parse(t *testing.T, args ...string) *config.Serve {
	t.Helper()
	cfg, err := config.ParseServe(append([]string{"--addr", "127.0.0.1:0", "--publish-token", token}, args...), func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// start runs the server of cfg until the test ends and returns it with its
// log.
func start(t *testing.T, cfg *config.Serve, replay []*pricefile.File) (*server.Server, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	s := server.New(cfg, replay, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err := s.Run(context.Background()); err != nil {
		t.Fatalf("run: %v\n%s", err, logs)
	}
	t.Cleanup(func() { s.Close() })
	return s, logs
}

// TestRunServesAndCloseEndsEveryStream runs the simulator, reads its
// prices from /stocks, and closes the server: the stream ends, within the
// grace, and the log says the server stopped cleanly.
func TestRunServesAndCloseEndsEveryStream(t *testing.T) {
	s, logs := start(t, parse(t, "--interval", "20ms", "--symbols", "AAPL,MSFT", "--seed", "7"), nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+s.Addr().String()+"/stocks?symbols=MSFT", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	r := sse.NewReader(bufio.NewReader(resp.Body), 1<<16)
	streamtest.ExpectUpdates(t, r, "MSFT", 3)
	start := time.Now()
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if took := time.Since(start); took > server.ShutdownGrace {
		t.Errorf("close took %s, more than the grace", took)
	}
	for {
		if _, err := r.Next(); err != nil {
			break // the stream ended with the server
		}
	}
	for _, want := range []string{"simulator: enabled", "stockstream: listening", "shutting down, ending open streams", "stopped cleanly"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
	if err := s.Close(); err != nil {
		t.Errorf("a second close: %v", err)
	}
}

// TestRunRefusesAnAddressInUse: the error names --addr.
func TestRunRefusesAnAddressInUse(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	cfg := parse(t, "--simulator=false")
	cfg.Addr = l.Addr().String()
	s := server.New(cfg, nil, slog.New(slog.DiscardHandler))
	if err := s.Run(context.Background()); err == nil || !strings.HasPrefix(err.Error(), "--addr: ") {
		t.Fatalf("run on a used address: %v, want an error naming --addr", err)
	}
}

// TestRunRefusesAnUnreachableBroker: Run gives up when ctx ends while
// Redis cannot be reached, and its error names --broker, not the password.
func TestRunRefusesAnUnreachableBroker(t *testing.T) {
	cfg := parse(t, "--simulator=false", "--broker", "redis://:s3cret@127.0.0.1:1/0")
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	s := server.New(cfg, nil, slog.New(slog.DiscardHandler))
	if err := s.Run(ctx); err == nil || !strings.HasPrefix(err.Error(), "--broker: ") || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("run: %v, want an error naming --broker without the password", err)
	}
}

// TestRunReplaysTheFiles: the files given are published, once, stamped
// with the time they are published.
func TestRunReplaysTheFiles(t *testing.T) {
	cfg := parse(t, "--replay", writeFile(t, "long.csv", "symbol,date,price\nMSFT,2024-01-02,370.87\nGOOG,2024-01-03,138.92\n"), "--replay-speed", "max")
	files, err := feed.Load(context.Background(), feed.Files(cfg.Replay.Files, nil), cfg.Replay.Read, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	before := time.Now().Add(-time.Second)
	s, logs := start(t, cfg, files)
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(logs.String(), "replay: done"); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the replay did not finish:\n%s", logs)
		}
	}
	latest := s.Pages().Latest(nil)
	if len(latest) != 2 {
		t.Fatalf("latest %v, want MSFT and GOOG", latest)
	}
	for _, l := range latest {
		if l.Timestamp.Before(before) {
			t.Errorf("%s stamped %v, not when it was published", l.Symbol, l.Timestamp)
		}
	}
}

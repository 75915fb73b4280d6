package redis_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/stockstream/stockstream/backend/redis"
)

// lockedBuffer is a bytes.Buffer safe for concurrent writers.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestRouteClientLogSendsGoRedisLinesToTheLogger: a line go-redis logs
// about a client (here, a pool that cannot dial) goes to the logger given,
// at debug level, marked as the client's; a later call replaces it.
func TestRouteClientLogSendsGoRedisLinesToTheLogger(t *testing.T) {
	var first, second lockedBuffer
	redis.RouteClientLog(slog.New(slog.NewTextHandler(&first, &slog.HandlerOptions{Level: slog.LevelDebug})))
	redis.RouteClientLog(slog.New(slog.NewTextHandler(&second, &slog.HandlerOptions{Level: slog.LevelDebug})))
	defer redis.RouteClientLog(slog.New(slog.DiscardHandler))
	rdb := goredis.NewClient(&goredis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, MinIdleConns: 1, DialTimeout: 100 * time.Millisecond})
	defer rdb.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	rdb.Ping(ctx)
	for !strings.Contains(second.String(), "redis client: ") && ctx.Err() == nil {
		time.Sleep(10 * time.Millisecond) // poll interval
	}
	if s := second.String(); !strings.Contains(s, "level=DEBUG") || !strings.Contains(s, "redis client: ") {
		t.Fatalf("go-redis logged %q, want its lines at debug level", s)
	}
	if first.String() != "" {
		t.Fatalf("the replaced logger still got %q", first.String())
	}
}

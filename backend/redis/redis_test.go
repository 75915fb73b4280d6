package redis_test

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/brokertest"
	"github.com/stockstream/stockstream/backend/redis"
	"github.com/stockstream/stockstream/backend/redis/redistest"
)

// prefixes makes every broker of a test binary use its own keys, so tests
// can share one redis-server.
var prefixes atomic.Int64

func newPrefix() string { return fmt.Sprintf("test%d:", prefixes.Add(1)) }

// mustOpen opens a broker on srv, closed with the test.
func mustOpen(tb testing.TB, srv *redistest.Server, opts redis.Options) *redis.Broker {
	tb.Helper()
	if opts.Prefix == "" {
		opts.Prefix = newPrefix()
	}
	b, err := redis.Open(brokertest.Ctx(tb), srv.URL(0), opts)
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	tb.Cleanup(func() { b.Close() })
	return b
}

func TestBroker(t *testing.T) {
	srv := redistest.Start(t)
	brokertest.Run(t, func(tb testing.TB, history, queue int) backend.Broker {
		return mustOpen(tb, srv, redis.Options{History: history, Queue: queue})
	})
}

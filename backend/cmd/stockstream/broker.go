package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/inmem"
	"github.com/stockstream/stockstream/backend/metrics"
	"github.com/stockstream/stockstream/backend/redis"
)

// Redis connection and simulator lease timing.
const (
	// redisOpenTimeout bounds the wait for Redis at start, so that an
	// instance started just before its Redis still comes up.
	redisOpenTimeout = 30 * time.Second
	// leaseTTL is how long the lease of the simulator or of a replay
	// lasts unrenewed: another instance takes over within about 4/3 of it
	// after the holder dies.
	leaseTTL = 3 * time.Second
)

// exclusive runs a task so that one instance of the deployment at a time
// runs it: at once on a broker of its own, under the named lease on a
// shared one.
type exclusive func(ctx context.Context, lease string, run func(context.Context))

// openBroker returns the broker named by --broker and how the simulator
// and a replay run on it: on a shared broker only the instance that holds
// the lease publishes, so the cluster publishes one price stream whichever
// instances run --simulator or --replay.
func openBroker(ctx context.Context, c *config, m *metrics.Metrics, log *slog.Logger) (backend.Broker, exclusive, error) {
	if c.broker == "memory" {
		log.Info("broker: in memory", "history", c.history)
		b := inmem.New(inmem.Options{History: c.history, Queue: c.queue, MaxReplay: c.maxReplay, MaxSymbols: c.maxSymbols})
		return b, func(ctx context.Context, _ string, run func(context.Context)) { run(ctx) }, nil
	}
	ctx, cancel := context.WithTimeout(ctx, redisOpenTimeout)
	defer cancel()
	b, err := redis.Open(ctx, c.broker, redis.Options{History: c.history, Queue: c.queue, MaxReplay: c.maxReplay, MaxSymbols: c.maxSymbols,
		Logger: log, OnRollback: m.Rollbacks.Inc, Malformed: m.CountMalformed})
	if err != nil {
		return nil, nil, fmt.Errorf("--broker: %w", err)
	}
	log.Info("broker: redis", "addr", redactedURL(c.broker), "history", c.history)
	return b, func(ctx context.Context, lease string, run func(context.Context)) {
		b.RunExclusive(ctx, lease, leaseTTL, run)
	}, nil
}

// redactedURL returns a broker URL without its passwords, for logs: the
// user's, and a sentinel URL's password query parameter (the master's).
func redactedURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable)"
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

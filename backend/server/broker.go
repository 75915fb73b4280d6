package server

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/config"
	"github.com/stockstream/stockstream/backend/inmem"
	"github.com/stockstream/stockstream/backend/metrics"
	"github.com/stockstream/stockstream/backend/redact"
	"github.com/stockstream/stockstream/backend/redis"
)

// Redis connection and lease timing.
const (
	// redisOpenTimeout bounds the wait for Redis at start, so that an
	// instance started just before its Redis still comes up.
	redisOpenTimeout = 30 * time.Second
	// LeaseTTL is how long the lease of the simulator or of a replay
	// lasts unrenewed: another instance takes over within about 4/3 of it
	// after the holder dies.
	LeaseTTL = 3 * time.Second
)

// exclusive runs a task so that one instance of the deployment at a time
// runs it: at once on a broker of its own, under the named lease on a
// shared one.
type exclusive func(ctx context.Context, lease string, run func(context.Context))

// openBroker returns the broker named by --broker and how the simulator
// and a replay run on it: on a shared broker only the instance that holds
// the lease publishes, so the cluster publishes one price stream whichever
// instances run --simulator or --replay.
func openBroker(ctx context.Context, c *config.Serve, m *metrics.Metrics, log *slog.Logger) (backend.Broker, exclusive, error) {
	if c.Broker == "memory" {
		log.Info("broker: in memory", "history", c.History)
		b := inmem.New(inmem.Options{History: c.History, Queue: c.Queue, MaxReplay: c.MaxReplay, MaxSymbols: c.MaxSymbols})
		return b, func(ctx context.Context, _ string, run func(context.Context)) { run(ctx) }, nil
	}
	ctx, cancel := context.WithTimeout(ctx, redisOpenTimeout)
	defer cancel()
	b, err := redis.Open(ctx, c.Broker, redis.Options{History: c.History, Queue: c.Queue, MaxReplay: c.MaxReplay, MaxSymbols: c.MaxSymbols,
		Logger: log, OnRollback: m.Rollbacks.Inc, Malformed: m.CountMalformed})
	if err != nil {
		return nil, nil, fmt.Errorf("--broker: %w", err)
	}
	log.Info("broker: redis", "addr", redact.URL(c.Broker), "history", c.History)
	return b, func(ctx context.Context, lease string, run func(context.Context)) {
		b.RunExclusive(ctx, lease, LeaseTTL, run)
	}, nil
}

package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/inmem"
	"github.com/stockstream/stockstream/backend/redis"
)

// Redis connection and simulator lease timing.
const (
	// redisOpenTimeout bounds the wait for Redis at start, so that an
	// instance started just before its Redis still comes up.
	redisOpenTimeout = 30 * time.Second
	// simulatorLease is how long the simulator's lease lasts unrenewed:
	// another instance takes over within about 4/3 of it after the
	// holder dies.
	simulatorLease = 3 * time.Second
)

// openBroker returns the broker named by --broker, and how the simulator
// must run on it: on a shared broker only one instance may publish.
func openBroker(ctx context.Context, c *config, log *slog.Logger) (backend.Broker, error) {
	if c.broker == "memory" {
		log.Info("broker: in memory", "history", c.history)
		return inmem.New(inmem.Options{History: c.history, Queue: c.queue}), nil
	}
	ctx, cancel := context.WithTimeout(ctx, redisOpenTimeout)
	defer cancel()
	b, err := redis.Open(ctx, c.broker, redis.Options{History: c.history, Queue: c.queue, Logger: log})
	if err != nil {
		return nil, fmt.Errorf("--broker: %w", err)
	}
	log.Info("broker: redis", "addr", redactedURL(c.broker), "history", c.history)
	return b, nil
}

// redactedURL returns a broker URL without its password, for logs.
func redactedURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable)"
	}
	return u.Redacted()
}

// exclusiveRunner is a shared broker on which one instance of the cluster
// at a time may run a task.
type exclusiveRunner interface {
	RunExclusive(ctx context.Context, name string, ttl time.Duration, run func(context.Context))
}

// runSimulator runs the simulator until ctx ends. On a shared broker it
// runs only while this instance holds the cluster's simulator lease, so
// that the cluster publishes one price stream whichever instances run.
func runSimulator(ctx context.Context, b backend.Broker, run func(context.Context)) {
	if r, ok := b.(exclusiveRunner); ok {
		r.RunExclusive(ctx, "simulator", simulatorLease, run)
		return
	}
	run(ctx)
}

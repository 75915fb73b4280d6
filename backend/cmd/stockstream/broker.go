package main

import (
	"context"
	"log/slog"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/inmem"
)

// openBroker returns the broker named by --broker, and how the simulator
// must run on it: on a shared broker only one instance may publish.
func openBroker(ctx context.Context, c *config, log *slog.Logger) (backend.Broker, error) {
	log.Info("broker: in memory", "history", c.history)
	return inmem.New(inmem.Options{History: c.history, Queue: c.queue}), nil
}

// runSimulator runs the simulator until ctx ends.
func runSimulator(ctx context.Context, _ backend.Broker, run func(context.Context)) {
	run(ctx)
}

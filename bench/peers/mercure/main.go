// Command mercure is a minimal server on the github.com/dunglas/mercure Hub
// used as a library, for the benchmark: GET /stocks?topic=prices subscribes
// anonymously, POST /api/prices publishes to the "prices" topic.
package main

import (
	"context"
	"io"
	"log"
	"log/slog"
	"net/http"

	"github.com/dunglas/mercure"

	"github.com/stockstream/stockstream/bench/internal/peerapi"
)

// topic carries every event.
const topic = "prices"

func main() {
	f := peerapi.ParseFlags()
	ctx := context.Background()
	hub, err := mercure.NewHub(ctx,
		mercure.WithAnonymous(),
		mercure.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))),
	)
	if err != nil {
		log.Fatal(err)
	}
	defer hub.Stop(ctx)
	mux := http.NewServeMux()
	mux.HandleFunc("/stocks", hub.SubscribeHandler)
	mux.Handle("/api/prices", peerapi.PublishHandler(func(events []peerapi.Event) error {
		for _, e := range events {
			u := &mercure.Update{
				Topics: []string{topic},
				Event:  mercure.Event{ID: e.ID, Type: "stockUpdate", Data: string(e.Data)},
			}
			if err := hub.Publish(ctx, u); err != nil {
				return err
			}
		}
		return nil
	}))
	peerapi.Serve(f, mux)
}

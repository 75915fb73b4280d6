// Command r3labs is a minimal SSE server on github.com/r3labs/sse/v2 for
// the benchmark: GET /stocks?stream=prices streams, POST /api/prices
// publishes.
package main

import (
	"net/http"

	"github.com/r3labs/sse/v2"

	"github.com/stockstream/stockstream/bench/internal/peerapi"
)

func main() {
	f := peerapi.ParseFlags()
	s := sse.New()
	s.AutoReplay = false // no unbounded replay log
	s.CreateStream("prices")
	mux := http.NewServeMux()
	mux.HandleFunc("/stocks", s.ServeHTTP)
	mux.Handle("/api/prices", peerapi.PublishHandler(func(events []peerapi.Event) error {
		for _, e := range events {
			s.Publish("prices", &sse.Event{ID: []byte(e.ID), Data: e.Data})
		}
		return nil
	}))
	peerapi.Serve(f, mux)
}

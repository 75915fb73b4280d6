// Command gosse is a minimal SSE server on github.com/tmaxmax/go-sse for the
// benchmark: GET /stocks streams, POST /api/prices publishes.
package main

import (
	"net/http"

	sse "github.com/tmaxmax/go-sse"

	"github.com/stockstream/stockstream/bench/internal/peerapi"
)

func main() {
	f := peerapi.ParseFlags()
	s := &sse.Server{Provider: &sse.Joe{}}
	mux := http.NewServeMux()
	mux.Handle("/stocks", s)
	mux.Handle("/api/prices", peerapi.PublishHandler(func(events []peerapi.Event) error {
		for _, e := range events {
			m := &sse.Message{ID: sse.ID(e.ID), Type: sse.Type("stockUpdate")}
			m.AppendData(string(e.Data))
			if err := s.Publish(m); err != nil {
				return err
			}
		}
		return nil
	}))
	peerapi.Serve(f, mux)
}

// Command centrifuge is a minimal server on github.com/centrifugal/centrifuge
// with a uni-directional SSE transport, for the benchmark: GET /stocks
// connects and subscribes to the "prices" channel on the server side, POST
// /api/prices publishes to it.
package main

import (
	"context"
	"log"
	"net/http"

	"github.com/centrifugal/centrifuge"

	"github.com/stockstream/stockstream/bench/internal/peerapi"
)

// channel carries every event.
const channel = "prices"

func main() {
	f := peerapi.ParseFlags()
	node, err := centrifuge.New(centrifuge.Config{LogLevel: centrifuge.LogLevelError})
	if err != nil {
		log.Fatal(err)
	}
	node.OnConnecting(func(context.Context, centrifuge.ConnectEvent) (centrifuge.ConnectReply, error) {
		return centrifuge.ConnectReply{
			Credentials:   &centrifuge.Credentials{UserID: "bench"},
			Subscriptions: map[string]centrifuge.SubscribeOptions{channel: {}},
		}, nil
	})
	if err := node.Run(); err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/stocks", streamHandler(node))
	mux.Handle("/api/prices", peerapi.PublishHandler(func(events []peerapi.Event) error {
		for _, e := range events {
			if _, err := node.Publish(channel, e.Data); err != nil {
				return err
			}
		}
		return nil
	}))
	peerapi.Serve(f, mux)
}

// streamHandler opens the SSE response and connects a uni-directional
// client on it; the connect reply and every publication follow as frames.
func streamHandler(node *centrifuge.Node) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
		t := newSSETransport(w)
		defer t.finish()
		if err := t.rc.Flush(); err != nil {
			return
		}
		c, closeFn, err := centrifuge.NewClient(r.Context(), node, t)
		if err != nil {
			return
		}
		defer closeFn()
		c.Connect(centrifuge.ConnectRequest{})
		select {
		case <-t.closed:
		case <-r.Context().Done():
		}
	}
}

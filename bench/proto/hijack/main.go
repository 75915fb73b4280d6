// Command hijack is a prototype, not a product: the stockstream stream with
// the connection hijacked after the response headers. The in-memory broker,
// the fan-out and the frames are stockstream's own; what changes is that
// net/http's per-connection buffers, chunked encoding, background reader
// and deep handler stack are released, and each stream is pumped by a
// fresh goroutine writing frames straight to the socket. It measures what
// that buys in memory per stream and CPU per delivery.
package main

import (
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"time"

	"github.com/stockstream/stockstream/backend"
	stockhttp "github.com/stockstream/stockstream/backend/http"
	"github.com/stockstream/stockstream/backend/inmem"
	"github.com/stockstream/stockstream/bench/internal/peerapi"
	"github.com/stockstream/stockstream/shared/sse"
	"github.com/stockstream/stockstream/shared/stock"
)

const (
	heartbeat    = 15 * time.Second
	writeTimeout = 10 * time.Second
)

// header is the whole response head: the body is delimited by the end of
// the connection, so no chunked encoding is needed.
const header = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n" +
	"Cache-Control: no-store\r\nX-Accel-Buffering: no\r\nConnection: close\r\n\r\nretry: 3000\n\n"

func main() {
	f := peerapi.ParseFlags()
	b := inmem.New(inmem.Options{History: 10000})
	defer b.Close()
	mux := http.NewServeMux()
	mux.HandleFunc("/stocks", func(w http.ResponseWriter, r *http.Request) { serveStream(b, w, r) })
	mux.HandleFunc("/api/prices", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		quotes, err := stockhttp.DecodeQuotes(body, 5000)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if _, err := b.Publish(r.Context(), quotes); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	})
	peerapi.Serve(f, mux)
}

// serveStream subscribes, hijacks the connection, writes the head and the
// opening, and hands the stream to its own goroutine so that the handler's
// goroutine and buffers are released.
func serveStream(b *inmem.Broker, w http.ResponseWriter, r *http.Request) {
	opening, sub, err := b.Subscribe(context.Background(), backend.SubscribeRequest{})
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		sub.Close()
		log.Print(err)
		return
	}
	buf := append([]byte(header), snapshot(opening)...)
	conn.SetWriteDeadline(time.Now().Add(writeTimeout))
	if _, err := conn.Write(buf); err != nil {
		sub.Close()
		conn.Close()
		return
	}
	go pump(conn, sub)
}

// snapshot is the opening frame of a fresh stream.
func snapshot(o backend.Opening) []byte {
	data := []byte{'['}
	for i, ev := range o.Snapshot {
		if i > 0 {
			data = append(data, ',')
		}
		data = ev.AppendJSON(data)
	}
	data = append(data, ']')
	return sse.AppendEvent(nil, backend.FormatID(o.Head), stock.EventSnapshot, data)
}

// pump writes each burst of events with one writev, and a heartbeat after
// every silent interval, until a write fails or the subscription ends.
func pump(conn net.Conn, sub backend.Subscription) {
	defer conn.Close()
	defer sub.Close()
	beat := time.NewTimer(heartbeat)
	defer beat.Stop()
	var batch []*backend.Event
	var frames [][]byte
	var armed time.Time
	for {
		select {
		case <-sub.Ready():
			batch = sub.Next(batch[:0])
			frames = frames[:0]
			for _, ev := range batch {
				frames = append(frames, ev.Frame)
			}
			clear(batch)
		case <-beat.C:
			frames = append(frames[:0], sse.Heartbeat)
		case <-sub.Done():
			return
		}
		// Arm the deadline only when the last one is half used up.
		if now := time.Now(); now.Sub(armed) > writeTimeout/2 {
			armed = now
			conn.SetWriteDeadline(now.Add(writeTimeout))
		}
		bufs := net.Buffers(frames)
		if _, err := bufs.WriteTo(conn); err != nil {
			return
		}
		clear(frames)
		beat.Reset(heartbeat)
	}
}

package client_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/stockstream/stockstream/shared/client"
	"github.com/stockstream/stockstream/shared/sse"
)

// BenchmarkSubscribe measures the client alone: decoding updates, framed
// as a server frames them, into a Go consumer. One op is one event.
func BenchmarkSubscribe(b *testing.B) {
	rec := &recorded{}
	f := &fakeServer{answer: func(int, *http.Request) *http.Response {
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"text/event-stream"}}, Body: rec}
	}}
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for m, err := range client.Subscribe(b.Context(), "http://x", client.Options{Connection: client.Connection{HTTPClient: f.client()}}) {
		if err != nil || m.Event.Price.IsZero() {
			b.Fatal(err)
		}
		if n++; n == b.N {
			break
		}
	}
	b.SetBytes(int64(rec.bytes / max(rec.seq, 1)))
}

// recorded is an endless stream of updates with increasing ids.
type recorded struct {
	seq   int
	buf   []byte
	bytes int
}

func (r *recorded) Read(p []byte) (int, error) {
	for len(r.buf) < len(p) {
		r.seq++
		id := strconv.Itoa(1_000_000 + r.seq)
		r.buf = sse.AppendEvent(r.buf, id, "stockUpdate", []byte(`{"id":"`+id+`","symbol":"AAPL","price":189.88,"timestamp":"2026-11-24T07:48:27.937416025Z"}`))
	}
	n := copy(p, r.buf)
	r.buf = r.buf[:copy(r.buf, r.buf[n:])]
	r.bytes += n
	return n, nil
}

func (r *recorded) Close() error { return nil }

//go:build js && wasm

package sse_test

import (
	"syscall/js"
	"testing"
	"time"

	"github.com/stockstream/stockstream/frontend/sse"
)

// streamURL returns a blob: URL whose body is an event stream.
func streamURL(body string) string {
	parts := js.Global().Get("Array").New(body)
	opts := js.Global().Get("Object").New()
	opts.Set("type", "text/event-stream")
	blob := js.Global().Get("Blob").New(parts, opts)
	return js.Global().Get("URL").Call("createObjectURL", blob).String()
}

func TestDialDeliversTypedEventsAndCloseStopsThem(t *testing.T) {
	url := streamURL("retry: 60000\n\nid: 41\nevent: snapshot\ndata: []\n\nid: 42\nevent: stockUpdate\ndata: {\"a\":1}\n\nevent: other\ndata: x\n\n")
	msgs := make(chan sse.Message, 10)
	opened := make(chan struct{}, 1)
	s := sse.Dial(url, []string{"snapshot", "stockUpdate"}, sse.Handlers{
		Open:    func() { opened <- struct{}{} },
		Message: func(m sse.Message) { msgs <- m },
	})
	select {
	case <-opened:
	case <-time.After(5 * time.Second):
		t.Fatal("no open event")
	}
	want := []sse.Message{{Type: "snapshot", Data: "[]", LastEventID: "41"}, {Type: "stockUpdate", Data: `{"a":1}`, LastEventID: "42"}}
	for _, w := range want {
		select {
		case m := <-msgs:
			if m != w {
				t.Errorf("got %+v, want %+v", m, w)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("missing %+v", w)
		}
	}
	s.Close()
	s.Close() // a second Close is harmless
	if s.ReadyState() != sse.Closed {
		t.Errorf("state after Close: %v", s.ReadyState())
	}
	select {
	case m := <-msgs:
		t.Errorf("message after Close: %+v", m)
	case <-time.After(300 * time.Millisecond):
	}
}

func TestErrorReportsTheReadyState(t *testing.T) {
	states := make(chan sse.ReadyState, 4)
	s := sse.Dial("/no-such-stream", nil, sse.Handlers{Error: func(rs sse.ReadyState) { states <- rs }})
	defer s.Close()
	select {
	case rs := <-states:
		if rs != sse.Closed {
			t.Errorf("a 404 left the stream in state %v; the browser gives up on non-200 answers", rs)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no error event")
	}
}

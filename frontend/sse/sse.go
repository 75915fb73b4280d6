// Package sse opens server-sent event streams in the browser through its
// EventSource. In the browser (js && wasm) Dial creates a real EventSource;
// natively, where the server prerenders the UI, Dial returns a stream that
// never connects, so the same UI code compiles for both.
package sse

// ReadyState is EventSource.readyState.
type ReadyState int

// The states of an EventSource.
const (
	// Connecting: connecting, or the browser is reconnecting by itself.
	Connecting ReadyState = 0
	// Open: the stream is delivering events.
	Open ReadyState = 1
	// Closed: the stream is closed for good; the browser will not retry
	// (after close(), a non-200 answer or a 5xx).
	Closed ReadyState = 2
)

// Message is one event received on a stream.
type Message struct {
	Type        string // the SSE event type
	Data        string
	LastEventID string
}

// Handlers receive what happens on a stream. Every field may be nil. They
// are called from the browser's event loop and must not block.
type Handlers struct {
	Open    func()
	Message func(Message)
	Error   func(ReadyState)
}

// Stream is an open EventSource.
type Stream interface {
	// ReadyState returns the current state.
	ReadyState() ReadyState
	// Close closes the stream, removes its listeners and releases every
	// function it created. No handler is called after Close returns.
	Close()
}

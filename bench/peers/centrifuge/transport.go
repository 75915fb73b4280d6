package main

import (
	"net/http"
	"sync"

	"github.com/centrifugal/centrifuge"
)

// sseTransport is a uni-directional SSE transport for centrifuge, as
// Centrifugo's uni_sse: every push is one "data:" frame of JSON protocol.
type sseTransport struct {
	mu     sync.Mutex
	w      http.ResponseWriter
	rc     *http.ResponseController
	closed chan struct{}
	once   sync.Once
	buf    []byte
	gone   bool // the handler returned: w must not be used any more
}

// finish stops every later write to the response.
func (t *sseTransport) finish() {
	t.mu.Lock()
	t.gone = true
	t.mu.Unlock()
}

func newSSETransport(w http.ResponseWriter) *sseTransport {
	return &sseTransport{w: w, rc: http.NewResponseController(w), closed: make(chan struct{})}
}

var _ centrifuge.Transport = (*sseTransport)(nil)

// Name implements centrifuge.TransportInfo.
func (t *sseTransport) Name() string { return "uni_sse" }

// Protocol implements centrifuge.TransportInfo.
func (t *sseTransport) Protocol() centrifuge.ProtocolType { return centrifuge.ProtocolTypeJSON }

// ProtocolVersion implements centrifuge.TransportInfo.
func (t *sseTransport) ProtocolVersion() centrifuge.ProtocolVersion {
	return centrifuge.ProtocolVersion2
}

// Unidirectional implements centrifuge.TransportInfo.
func (t *sseTransport) Unidirectional() bool { return true }

// Emulation implements centrifuge.TransportInfo.
func (t *sseTransport) Emulation() bool { return false }

// DisabledPushFlags implements centrifuge.TransportInfo.
func (t *sseTransport) DisabledPushFlags() uint64 { return 0 }

// AcceptProtocol implements centrifuge.TransportInfo.
func (t *sseTransport) AcceptProtocol() string { return "h1" }

// PingPongConfig implements centrifuge.TransportInfo: pings without pong
// checks, as a uni-directional client cannot answer.
func (t *sseTransport) PingPongConfig() centrifuge.PingPongConfig {
	return centrifuge.PingPongConfig{PongTimeout: -1}
}

// Write implements centrifuge.Transport.
func (t *sseTransport) Write(data []byte) error { return t.WriteMany(data) }

// WriteMany writes each push as one SSE frame and flushes once.
func (t *sseTransport) WriteMany(data ...[]byte) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.gone {
		return http.ErrHandlerTimeout
	}
	b := t.buf[:0]
	for _, d := range data {
		b = append(b, "data: "...)
		b = append(b, d...)
		b = append(b, '\n', '\n')
	}
	t.buf = b
	if _, err := t.w.Write(b); err != nil {
		return err
	}
	return t.rc.Flush()
}

// Close implements centrifuge.Transport.
func (t *sseTransport) Close(centrifuge.Disconnect) error {
	t.once.Do(func() { close(t.closed) })
	return nil
}

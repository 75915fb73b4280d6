package http

import (
	"net"
	"sync"
)

// closes is the process's close notifier, made on first use: on Linux one
// epoll goroutine serves every server.
var closes = sync.OnceValue(newCloseNotifier)

// closeNotifier tells when the client of a taken-over connection has gone.
// unwatch must be called before the connection is closed.
type closeNotifier interface {
	watch(conn net.Conn) (gone <-chan struct{}, unwatch func())
}

// readWatcher notices a client leaving by reading its connection on a
// goroutine of its own: the portable way, one goroutine per stream.
type readWatcher struct{}

func (readWatcher) watch(conn net.Conn) (<-chan struct{}, func()) {
	gone := make(chan struct{})
	go func() {
		defer close(gone)
		var b [1]byte
		conn.Read(b[:]) // an SSE client sends nothing after its request
	}()
	return gone, func() {}
}

// Package poller tells the owners of many sockets when a peer hangs up and
// when a full socket can take bytes again, with one epoll instance and one
// goroutine for all of them, so that no goroutine per socket has to wait.
//
// It never waits for incoming data: a byte a peer sends wakes nobody. A
// registration is a Token of descriptor and generation: an event that
// arrives late, for a descriptor that was removed and whose number a new
// socket now has, is recognised by its old generation and dropped.
package poller

import "errors"

// Handler is told what happens to a registered socket. Its methods run on
// the poller's goroutine: they must be quick and must not block.
type Handler interface {
	// Hangup is called once when the peer hung up or the socket failed;
	// the registration is gone by then.
	Hangup()
	// Writable is called once after WantWritable, when the socket can
	// take bytes again.
	Writable()
}

// Token names one registration.
type Token struct {
	fd  int32
	gen uint32
}

// ErrUnsupported is returned by New where there is no epoll.
var ErrUnsupported = errors.New("poller: not supported on this system")

package redistest

import (
	"io"
	"net"
	"sync"
	"testing"
)

// Relay is a TCP relay on 127.0.0.1 that a test can hold up, as a slow or
// broken network would: a replica that connects to its master through it
// falls behind while it is paused, and keeps what it missed lost once it
// is cut.
type Relay struct {
	l      net.Listener
	target string

	mu     sync.Mutex
	resume *sync.Cond
	paused bool
	cut    bool
	conns  []net.Conn
}

// NewRelay starts a relay to target (host:port); it stops with the test.
func NewRelay(tb testing.TB, target string) *Relay {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	r := &Relay{l: l, target: target}
	r.resume = sync.NewCond(&r.mu)
	go r.accept()
	tb.Cleanup(r.Cut)
	return r
}

// Addr returns the relay's host:port.
func (r *Relay) Addr() string { return r.l.Addr().String() }

// Pause holds every byte the relay receives from then on, both ways; the
// connections stay open.
func (r *Relay) Pause() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.paused = true
}

// Cut closes every connection, dropping the bytes held, and refuses new
// ones. It is safe to call more than once.
func (r *Relay) Cut() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cut = true
	r.l.Close()
	for _, c := range r.conns {
		c.Close()
	}
	r.resume.Broadcast()
}

func (r *Relay) accept() {
	for {
		c, err := r.l.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", r.target)
		if err != nil {
			c.Close()
			continue
		}
		if !r.track(c, s) {
			return
		}
		go r.copy(s, c)
		go r.copy(c, s)
	}
}

// track remembers a relayed pair of connections; it is false once cut.
func (r *Relay) track(conns ...net.Conn) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cut {
		for _, c := range conns {
			c.Close()
		}
		return false
	}
	r.conns = append(r.conns, conns...)
	return true
}

// copy relays src to dst, holding what it read while the relay is paused.
func (r *Relay) copy(dst, src net.Conn) {
	defer dst.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 && !r.wait() {
			return
		}
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			if err != io.EOF {
				src.Close()
			}
			return
		}
	}
}

// wait blocks while the relay is paused; it is false once cut.
func (r *Relay) wait() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for r.paused && !r.cut {
		r.resume.Wait()
	}
	return !r.cut
}

package streamtest

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"
)

// Proxy is a TCP proxy on 127.0.0.1 for tests that break connections the
// way networks and deployments do: Reset aborts open connections with a
// TCP reset towards the client, Cut closes them from the server's side,
// and Refuse makes the proxy answer new requests with 503 and Retry-After,
// as a load balancer does while no instance is ready.
type Proxy struct {
	URL    string // http://127.0.0.1:port
	target string
	l      net.Listener

	mu     sync.Mutex
	conns  map[net.Conn]net.Conn // client side → server side
	refuse bool
	wg     sync.WaitGroup
}

// NewProxy starts a proxy to target (host:port); it stops with the test.
func NewProxy(tb testing.TB, target string) *Proxy {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	p := &Proxy{URL: "http://" + l.Addr().String(), target: target, l: l, conns: map[net.Conn]net.Conn{}}
	p.wg.Add(1)
	go p.accept()
	tb.Cleanup(p.close)
	return p
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.l.Accept()
		if err != nil {
			return
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.serve(c)
		}()
	}
}

// serve relays one connection, or refuses it.
func (p *Proxy) serve(c net.Conn) {
	p.mu.Lock()
	refuse := p.refuse
	p.mu.Unlock()
	if refuse {
		refuse503(c)
		return
	}
	s, err := net.DialTimeout("tcp", p.target, 5*time.Second)
	if err != nil {
		c.(*net.TCPConn).SetLinger(0)
		c.Close()
		return
	}
	p.mu.Lock()
	p.conns[c] = s
	p.mu.Unlock()
	done := make(chan struct{}, 2)
	go func() { io.Copy(s, c); done <- struct{}{} }()
	go func() { io.Copy(c, s); done <- struct{}{} }()
	<-done
	c.Close()
	s.Close()
	<-done
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
}

// refuse503 reads a request's head and answers 503 with Retry-After: 1.
func refuse503(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := http.ReadRequest(bufio.NewReader(c)); err != nil {
		return
	}
	body := `{"error":"no instance ready"}`
	fmt.Fprintf(c, "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(body), body)
}

// Reset aborts every open connection with a TCP reset towards the client
// and returns how many there were.
func (p *Proxy) Reset() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c, s := range p.conns {
		c.(*net.TCPConn).SetLinger(0)
		c.Close()
		s.Close()
	}
	return len(p.conns)
}

// Cut closes every open connection on the server's side, as a server that
// ends its streams does, and returns how many there were.
func (p *Proxy) Cut() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, s := range p.conns {
		s.Close()
	}
	return len(p.conns)
}

// Refuse makes new connections get 503 with Retry-After (on) or reach the
// target again (off).
func (p *Proxy) Refuse(on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.refuse = on
}

func (p *Proxy) close() {
	p.l.Close()
	p.Reset()
	p.wg.Wait()
}

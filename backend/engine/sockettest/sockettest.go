// Package sockettest gives tests of the engine and its poller real sockets:
// both ends of a loopback TCP connection.
package sockettest

import (
	"net"
	"testing"
)

// Pair returns both ends of a new loopback TCP connection; they are closed
// with the test.
func Pair(t testing.TB) (server, client *net.TCPConn) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	s, err := l.Accept()
	if err != nil {
		c.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(); c.Close() })
	return s.(*net.TCPConn), c.(*net.TCPConn)
}

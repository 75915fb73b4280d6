package redis

import (
	"context"
	"crypto/tls"
	"net"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// trackedConn remembers the reader's connection so that Close can cut a
// blocked XREAD short: go-redis does not interrupt a blocking command when
// its context ends.
type trackedConn struct {
	mu     sync.Mutex
	conn   net.Conn
	closed bool
}

// dialer returns a go-redis dialer that connects as o says and tracks the
// connection.
func (t *trackedConn) dialer(o *goredis.Options) func(ctx context.Context, network, addr string) (net.Conn, error) {
	d := &net.Dialer{Timeout: o.DialTimeout, KeepAlive: 5 * time.Minute}
	tlsConfig := o.TLSConfig
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		if tlsConfig != nil {
			conn = tls.Client(conn, tlsConfig)
		}
		return t.track(conn)
	}
}

func (t *trackedConn) track(conn net.Conn) (net.Conn, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		conn.Close()
		return nil, net.ErrClosed
	}
	t.conn = conn
	return conn, nil
}

// close closes the current connection and refuses new ones.
func (t *trackedConn) close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.closed = true
	if t.conn != nil {
		t.conn.Close()
	}
}

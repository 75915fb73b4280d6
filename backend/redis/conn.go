package redis

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	neturl "net/url"
	"strings"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// target is where the broker connects: one Redis, or the master that a
// set of Sentinels names.
type target struct {
	single      *goredis.Options
	failover    *goredis.FailoverOptions
	dialTimeout time.Duration
	tls         *tls.Config
}

// sentinelSuffix ends the scheme of a URL naming Sentinels.
const sentinelSuffix = "-sentinel"

// parseURL reads a broker URL (see Open). Unless the URL says otherwise,
// a dial is tried once for at most 2 s, so that with Redis down a publish
// or a readiness check fails within a few seconds: the reader and the
// callers retry anyway.
func parseURL(url string) (target, error) {
	u, err := neturl.Parse(url)
	if err != nil {
		return target{}, err
	}
	q := u.Query()
	if scheme, ok := strings.CutSuffix(u.Scheme, sentinelSuffix); ok {
		u.Scheme = scheme
		o, err := goredis.ParseFailoverURL(u.String())
		if err != nil {
			return target{}, err
		}
		if o.MasterName == "" {
			return target{}, errors.New("a sentinel URL needs ?master_name=")
		}
		o.DialerRetries = 1
		if !q.Has("dial_timeout") {
			o.DialTimeout = 2 * time.Second
		}
		return target{failover: o, dialTimeout: o.DialTimeout, tls: o.TLSConfig}, nil
	}
	o, err := goredis.ParseURL(url)
	if err != nil {
		return target{}, err
	}
	o.DialerRetries = 1
	if !q.Has("dial_timeout") {
		o.DialTimeout = 2 * time.Second
	}
	return target{single: o, dialTimeout: o.DialTimeout, tls: o.TLSConfig}, nil
}

// client returns a client of the target that never retries a command: a
// publish retried after a timeout could run twice. poolSize 0 keeps the
// URL's, and a nil dialer go-redis's own.
func (t target) client(poolSize int, dialer func(ctx context.Context, network, addr string) (net.Conn, error)) *goredis.Client {
	if t.failover != nil {
		o := *t.failover
		o.MaxRetries = -1
		if poolSize > 0 {
			o.PoolSize = poolSize
		}
		if dialer != nil {
			o.Dialer = dialer
		}
		return goredis.NewFailoverClient(&o)
	}
	o := *t.single
	o.MaxRetries = -1
	if poolSize > 0 {
		o.PoolSize = poolSize
	}
	if dialer != nil {
		o.Dialer = dialer
	}
	return goredis.NewClient(&o)
}

// trackedConn remembers the reader's connection so that Close can cut a
// blocked XREAD short: go-redis does not interrupt a blocking command when
// its context ends.
type trackedConn struct {
	mu     sync.Mutex
	conn   net.Conn
	closed bool
}

// dialer returns a go-redis dialer that connects within timeout, over TLS
// if tlsConfig is set, and tracks the connection.
func (t *trackedConn) dialer(timeout time.Duration, tlsConfig *tls.Config) func(ctx context.Context, network, addr string) (net.Conn, error) {
	d := &net.Dialer{Timeout: timeout, KeepAlive: 5 * time.Minute}
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

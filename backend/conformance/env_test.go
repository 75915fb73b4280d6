package conformance_test

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/brokertest"
	stockhttp "github.com/stockstream/stockstream/backend/http"
	"github.com/stockstream/stockstream/backend/inmem"
	"github.com/stockstream/stockstream/backend/metrics"
	"github.com/stockstream/stockstream/backend/redis"
	"github.com/stockstream/stockstream/backend/redis/redistest"
	"github.com/stockstream/stockstream/shared/sse"
	"github.com/stockstream/stockstream/shared/stock"
)

// transport is one way a stream reaches its client.
type transport struct {
	name string // the metrics' transport label
	tls  bool
	h2   bool
}

// transports is every transport the contract holds on.
var transports = []transport{
	{name: "http1"},                      // taken over by the engine
	{name: "http1-tls", tls: true},       // a ResponseWriter over TLS
	{name: "http2", tls: true, h2: true}, // a ResponseWriter stream of HTTP/2
}

// brokerKind makes brokers of one implementation.
type brokerKind struct {
	name string
	open func(t *testing.T, o brokerOptions) backend.Broker
}

// brokerOptions are what a case's broker is made with.
type brokerOptions struct {
	History, Queue int
}

// brokerKinds is every broker the contract holds on; redisServer is the
// redis-server the Redis brokers share, each under a key prefix of its own.
func brokerKinds(redisServer *redistest.Server) []brokerKind {
	var prefixes atomic.Int64
	return []brokerKind{
		{"memory", func(t *testing.T, o brokerOptions) backend.Broker {
			b := inmem.New(inmem.Options{History: o.History, Queue: o.Queue})
			t.Cleanup(func() { b.Close() })
			return b
		}},
		{"redis", func(t *testing.T, o brokerOptions) backend.Broker {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			prefix := fmt.Sprintf("conformance%d:", prefixes.Add(1))
			b, err := redis.Open(ctx, redisServer.URL(0), redis.Options{History: o.History, Queue: o.Queue, Prefix: prefix})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { b.Close() })
			return b
		}},
	}
}

// cell is one transport with one broker: where a case runs.
type cell struct {
	transport
	broker brokerKind
}

// server is a running stockstream server of a cell.
type server struct {
	*stockhttp.Server
	cell
	url     string
	broker  backend.Broker
	metrics *metrics.Metrics
	client  *http.Client
	stopped bool
}

// start runs a server of the cell with cfg (its broker made with o unless
// cfg has one) on 127.0.0.1, shut down with the test.
func (c cell) start(t *testing.T, cfg stockhttp.Config, o brokerOptions) *server {
	t.Helper()
	return c.startOn(t, cfg, o, nil)
}

// startOn is start with the listener given to wrap, if not nil, first.
func (c cell) startOn(t *testing.T, cfg stockhttp.Config, o brokerOptions, wrap func(net.Listener) net.Listener) *server {
	t.Helper()
	if o.History == 0 {
		o.History = 1000
	}
	if cfg.Broker == nil {
		cfg.Broker = c.broker.open(t, o)
	}
	cfg.Metrics = metrics.New()
	cfg.Logger = slog.New(slog.DiscardHandler)
	srv := stockhttp.New(cfg)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if wrap != nil {
		l = wrap(l)
	}
	s := &server{Server: srv, cell: c, broker: cfg.Broker, metrics: cfg.Metrics, client: c.httpClient(0)}
	if c.tls {
		s.url = "https://" + l.Addr().String()
		go srv.ServeTLS(l, certFile, keyFile)
	} else {
		s.url = "http://" + l.Addr().String()
		go srv.Serve(l)
	}
	t.Cleanup(func() { s.stop(t) })
	return s
}

// stop shuts the server down within 10 seconds.
func (s *server) stop(t *testing.T) error {
	if s.stopped {
		return nil
	}
	s.stopped = true
	s.client.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return s.Shutdown(ctx)
}

// httpClient returns a client that speaks the cell's transport; a
// positive window bounds what it buffers of an HTTP/2 stream it does not
// read.
func (c cell) httpClient(window int) *http.Client {
	tr := &http.Transport{DisableCompression: true, MaxConnsPerHost: 0}
	if c.tls {
		tr.TLSClientConfig = &tls.Config{RootCAs: roots}
		tr.ForceAttemptHTTP2 = c.h2
		if !c.h2 {
			tr.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
		}
		if window > 0 {
			tr.HTTP2 = &http.HTTP2Config{MaxReceiveBufferPerStream: window, MaxReceiveBufferPerConnection: 1 << 20}
		}
	}
	return &http.Client{Transport: tr}
}

// stream is an open GET /stocks, read with an SSE reader.
type stream struct {
	resp *http.Response
	*sse.Reader
	cancel context.CancelFunc
}

// open opens GET /stocks?query with header, checks that it is a 200 over
// the cell's transport, and closes it with the test.
func (s *server) open(t *testing.T, query string, header http.Header) *stream {
	t.Helper()
	return s.openWith(t, s.client, query, header)
}

func (s *server) openWith(t *testing.T, client *http.Client, query string, header http.Header) *stream {
	t.Helper()
	resp, cancel := s.get(t, client, "/stocks?"+query, header)
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET /stocks?%s: %s %s", query, resp.Status, b)
	}
	if resp.ProtoMajor != map[bool]int{false: 1, true: 2}[s.h2] || (resp.TLS != nil) != s.tls {
		t.Fatalf("the stream came over %s (TLS %v), want the cell's %s", resp.Proto, resp.TLS != nil, s.transport.name)
	}
	return &stream{resp: resp, Reader: sse.NewReader(bufio.NewReader(resp.Body), 4<<20), cancel: cancel}
}

// get sends a GET, bounded to a minute, closed with the test.
func (s *server) get(t *testing.T, client *http.Client, path string, header http.Header) (*http.Response, context.CancelFunc) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.url+path, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := client.Do(req)
	if err != nil {
		cancel()
		t.Fatalf("GET %s: %v", path, err)
	}
	t.Cleanup(func() {
		resp.Body.Close()
		cancel()
	})
	return resp, cancel
}

// close ends the stream from the client's side.
func (st *stream) close() {
	st.cancel()
	st.resp.Body.Close()
}

// next reads the next event or fails.
func (st *stream) next(t *testing.T) sse.Owned {
	t.Helper()
	ev, err := st.Next()
	if err != nil {
		t.Fatalf("reading the stream: %v", err)
	}
	return ev.Own()
}

// opening reads the first event, checking that "retry:" came before it.
func (st *stream) opening(t *testing.T) sse.Owned {
	t.Helper()
	ev := st.next(t)
	if st.Retry() == 0 {
		t.Fatalf("the stream did not open with retry:, got %+v first", ev)
	}
	return ev
}

// updates reads n stockUpdate events, checking each frame's id against
// its data's.
func (st *stream) updates(t *testing.T, n int) []stock.StockPriceEvent {
	t.Helper()
	out := make([]stock.StockPriceEvent, 0, n)
	for len(out) < n {
		ev := st.next(t)
		if ev.Type != stock.EventUpdate {
			t.Fatalf("got a %q event, want stockUpdate", ev.Type)
		}
		out = append(out, decodeUpdate(t, ev))
	}
	return out
}

func decodeUpdate(t *testing.T, ev sse.Owned) stock.StockPriceEvent {
	t.Helper()
	var e stock.StockPriceEvent
	if err := json.Unmarshal([]byte(ev.Data), &e); err != nil {
		t.Fatalf("bad event data %q: %v", ev.Data, err)
	}
	if e.ID != ev.ID {
		t.Fatalf("frame id %s, data id %s", ev.ID, e.ID)
	}
	return e
}

// publish publishes quotes straight into the server's broker.
func (s *server) publish(t *testing.T, quotes []stock.Quote) []stock.StockPriceEvent {
	t.Helper()
	return brokertest.MustPublish(t, s.broker, quotes)
}

// metric returns the value of the metric sample that starts with
// name{labels} (or name alone), 0 if there is none.
func (s *server) metric(t *testing.T, sample string) float64 {
	t.Helper()
	resp, _ := s.get(t, s.client, "/metrics", nil)
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, sample+" "); ok {
			var f float64
			fmt.Sscan(v, &f)
			return f
		}
	}
	return 0
}

// eventually polls cond every 10ms until it holds, failing after 10s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within 10s: %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func ids(evs []stock.StockPriceEvent) string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.ID
	}
	return strings.Join(out, ",")
}

// certFile and keyFile hold a self-signed certificate for 127.0.0.1, which
// roots trusts.
var (
	certFile, keyFile string
	roots             *x509.CertPool
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "conformance")
	if err != nil {
		panic(err)
	}
	certFile, keyFile, roots = selfSigned(dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// selfSigned writes a certificate and key for 127.0.0.1 into dir.
func selfSigned(dir string) (certPath, keyPath string, pool *x509.CertPool) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		panic(err)
	}
	certPath, keyPath = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certPath, keyPath, pool
}

// closedReasons returns the ended streams by reason, from the server's
// metrics registry.
func (s *server) closedReasons(t *testing.T) map[string]float64 {
	out := map[string]float64{}
	mfs, _ := s.metrics.Registry.Gather()
	for _, mf := range mfs {
		if mf.GetName() != "stockstream_streams_closed_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "reason" {
					out[l.GetValue()] += m.GetCounter().GetValue()
				}
			}
		}
	}
	return out
}

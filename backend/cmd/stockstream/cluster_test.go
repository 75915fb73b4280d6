package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/stockstream/stockstream/backend/redis"
	"github.com/stockstream/stockstream/backend/redis/redistest"
	"github.com/stockstream/stockstream/frontend/ui"
	"github.com/stockstream/stockstream/shared/sse"
	"github.com/stockstream/stockstream/shared/stock"
)

// childArgsEnv carries the flags of an instance the cluster tests run as a
// child process of the test binary.
const childArgsEnv = "STOCKSTREAM_TEST_INSTANCE_ARGS"

const token = "cluster-test-token"

// TestMain runs one stockstream instance, or one command on the process's
// own standard streams, instead of the tests when a test starts this
// binary as a child process.
func TestMain(m *testing.M) {
	if args := os.Getenv(childArgsEnv); args != "" {
		os.Exit(runChild(strings.Split(args, "\n")))
	}
	if args := os.Getenv(cliArgsEnv); args != "" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		c := &cli{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, routes: ui.Routes}
		code := c.run(ctx, strings.Split(args, "\n"))
		stop()
		os.Exit(code)
	}
	ui.Routes(testPages.source())
	os.Exit(m.Run())
}

// runChild is the body of a child instance: it prints its address and stops
// on SIGTERM or when the parent test process goes away (stdin closes).
func runChild(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		io.Copy(io.Discard, os.Stdin)
		stop()
	}()
	ready := make(chan net.Addr, 1)
	go func() { fmt.Printf("listening %s\n", <-ready) }()
	c := &cli{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: func(string) string { return "" }, routes: ui.Routes, ready: ready}
	return c.run(ctx, args)
}

// instance is a stockstream server running in a child process.
type instance struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser // held open while the test runs
	base  string         // http://127.0.0.1:port
	log   *syncBuffer
	done  chan struct{}
}

// startInstance runs an instance on a free loopback port with Redis at
// redisURL; it is stopped when the test ends.
func startInstance(t testing.TB, redisURL string, extra ...string) *instance {
	t.Helper()
	args := append([]string{"--addr", "127.0.0.1:0", "--broker", redisURL, "--publish-token", token,
		"--heartbeat", "200ms", "--retry", "100ms", "--log-level", "debug"}, extra...)
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), childArgsEnv+"="+strings.Join(args, "\n"))
	in := &instance{cmd: cmd, log: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stderr = in.log
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	// The child stops when its stdin closes: when this process exits.
	if in.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start instance: %v", err)
	}
	go func() { cmd.Wait(); close(in.done) }()
	t.Cleanup(func() { in.stop(t) })
	addr := make(chan string, 1)
	go scanAddr(stdout, addr)
	select {
	case a := <-addr:
		in.base = "http://" + a
	case <-in.done:
		t.Fatalf("instance exited before listening:\n%s", in.log)
	case <-time.After(30 * time.Second):
		t.Fatalf("instance not listening within 30s:\n%s", in.log)
	}
	return in
}

// scanAddr sends the address the child prints, then drains its output.
func scanAddr(r io.Reader, addr chan<- string) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if a, ok := strings.CutPrefix(sc.Text(), "listening "); ok {
			addr <- a
		}
	}
}

// stop ends the instance with SIGTERM (SIGKILL after 10 s) and shows its
// log if the test failed.
func (in *instance) stop(t testing.TB) {
	in.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-in.done:
	case <-time.After(10 * time.Second):
		in.cmd.Process.Kill()
		<-in.done
		t.Errorf("instance %s did not exit within 10s of SIGTERM", in.base)
	}
	if t.Failed() {
		t.Logf("log of instance %s:\n%s", in.base, in.log)
	}
}

// kill ends the instance at once, as a crash would.
func (in *instance) kill() {
	in.cmd.Process.Kill()
	<-in.done
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// stream is an open GET /stocks whose events arrive on a channel.
type stream struct {
	events chan sse.Owned
	cancel context.CancelFunc
}

// openStream subscribes to in's stream, resuming after lastID if not empty.
func openStream(t testing.TB, in *instance, lastID string) *stream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, in.base+"/stocks", nil)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatalf("GET /stocks: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		cancel()
		t.Fatalf("GET /stocks: %s", resp.Status)
	}
	s := &stream{events: make(chan sse.Owned, 1024), cancel: cancel}
	go func() {
		defer close(s.events)
		defer resp.Body.Close()
		r := sse.NewReader(resp.Body, 1<<20)
		for {
			ev, err := r.Next()
			if err != nil {
				return
			}
			s.events <- ev.Own()
		}
	}()
	t.Cleanup(cancel)
	return s
}

// next returns the next event, failing after 15 seconds or if the stream
// ends.
func (s *stream) next(t testing.TB) sse.Owned {
	t.Helper()
	select {
	case ev, ok := <-s.events:
		if !ok {
			t.Fatal("stream ended")
		}
		return ev
	case <-time.After(15 * time.Second):
		t.Fatal("no event within 15s")
	}
	return sse.Owned{}
}

// updates returns the ids of the next n stockUpdate events.
func (s *stream) updates(t testing.TB, n int) []string {
	t.Helper()
	var ids []string
	for len(ids) < n {
		if ev := s.next(t); ev.Type == stock.EventUpdate {
			ids = append(ids, ev.ID)
		}
	}
	return ids
}

// publish posts quotes to the server at base and returns the status and
// the assigned ids.
func publish(t testing.TB, base, quotes string) (int, []string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+"/api/prices", strings.NewReader(quotes))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST /api/prices: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		return resp.StatusCode, nil
	}
	var evs []stock.StockPriceEvent
	if err := json.NewDecoder(resp.Body).Decode(&evs); err != nil {
		t.Fatalf("POST /api/prices response: %v", err)
	}
	ids := make([]string, len(evs))
	for i, ev := range evs {
		ids[i] = ev.ID
	}
	return resp.StatusCode, ids
}

// mustPublish publishes n AAPL prices through in.
func mustPublish(t testing.TB, in *instance, n int) []string {
	t.Helper()
	status, ids := publish(t, in.base, quotes(n))
	if status != http.StatusAccepted || len(ids) != n {
		t.Fatalf("publish %d through %s: status %d, ids %v", n, in.base, status, ids)
	}
	return ids
}

func quotes(n int) string {
	qs := make([]string, n)
	for i := range qs {
		qs[i] = fmt.Sprintf(`{"symbol":"AAPL","price":%d.25}`, 100+i)
	}
	return "[" + strings.Join(qs, ",") + "]"
}

func getStatus(t testing.TB, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// nextInStream reports whether ids are the events that follow after in
// the stream the Redis at redisURL holds (ids are not consecutive).
func nextInStream(t testing.TB, redisURL, after string, ids []string) bool {
	t.Helper()
	o, err := goredis.ParseURL(redisURL)
	if err != nil {
		t.Fatal(err)
	}
	rdb := goredis.NewClient(o)
	defer rdb.Close()
	msgs, err := rdb.XRangeN(context.Background(), redis.DefaultPrefix+"events", "("+after, "+", int64(len(ids))).Result()
	if err != nil {
		t.Fatalf("xrange: %v", err)
	}
	if len(msgs) != len(ids) {
		return false
	}
	for i, m := range msgs {
		if m.ID != ids[i]+"-0" {
			return false
		}
	}
	return true
}

func TestClusterResumeOnAnotherInstance(t *testing.T) {
	srv := redistest.Start(t)
	a := startInstance(t, srv.URL(0), "--simulator=false")
	b := startInstance(t, srv.URL(0), "--simulator=false")

	onA := openStream(t, a, "")
	if ev := onA.next(t); ev.Type != stock.EventSnapshot {
		t.Fatalf("fresh stream opened with %q, want a snapshot", ev.Type)
	}
	published := mustPublish(t, b, 3)
	if got := onA.updates(t, 3); fmt.Sprint(got) != fmt.Sprint(published) {
		t.Fatalf("A received %v, B published %v", got, published)
	}
	onA.cancel()
	more := mustPublish(t, a, 2)

	onB := openStream(t, b, published[0])
	want := append(published[1:], more...)
	if got := onB.updates(t, 4); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("resumed on B after A's id %s: %v, want exactly %v", published[0], got, want)
	}
	live := mustPublish(t, a, 1)
	if got := onB.updates(t, 1); got[0] != live[0] {
		t.Fatalf("live on B %s, want %s", got[0], live[0])
	}
}

func TestClusterSimulatorFailover(t *testing.T) {
	srv := redistest.Start(t)
	sim := []string{"--simulator", "--interval", "50ms", "--symbols", "AAPL,MSFT"}
	a := startInstance(t, srv.URL(0), sim...)
	openStream(t, a, "").updates(t, 1) // a alone: a holds the simulator lease
	b := startInstance(t, srv.URL(0), sim...)
	onB := openStream(t, b, "")
	snap := onB.next(t)
	ids := onB.updates(t, 4)

	a.kill()
	killed := time.Now()
	for time.Since(killed) < time.Second || !strings.Contains(b.log.String(), "lease: acquired") {
		ids = append(ids, onB.updates(t, 1)...)
	}
	ids = append(ids, onB.updates(t, 10)...)
	t.Logf("b took over %s after a was killed", time.Since(killed).Round(10*time.Millisecond))
	if !nextInStream(t, srv.URL(0), snap.ID, ids) {
		t.Fatalf("ids on b across the failover are not the stream's after %s: %v", snap.ID, ids)
	}
}

func TestClusterRedisRestart(t *testing.T) {
	srv := redistest.Start(t)
	a := startInstance(t, srv.URL(0), "--simulator=false")
	b := startInstance(t, srv.URL(0), "--simulator=false")
	onA := openStream(t, a, "")
	onA.next(t) // snapshot
	before := mustPublish(t, b, 3)
	onA.updates(t, 3)

	srv.Stop(t)
	if status := getStatus(t, a.base+"/readyz"); status != http.StatusServiceUnavailable {
		t.Fatalf("/readyz with Redis down: %d, want 503", status)
	}
	if status, _ := publish(t, b.base, quotes(1)); status != http.StatusServiceUnavailable {
		t.Fatalf("publish with Redis down: %d, want 503", status)
	}

	srv.Restart(t)
	deadline := time.Now().Add(15 * time.Second)
	var after []string
	for after == nil && time.Now().Before(deadline) {
		if status, ids := publish(t, b.base, quotes(3)); status == http.StatusAccepted {
			after = ids
		} else {
			time.Sleep(50 * time.Millisecond) // poll interval
		}
	}
	if after == nil {
		t.Fatal("publishing did not recover within 15s of Redis returning")
	}
	got := onA.updates(t, 3)
	if fmt.Sprint(got) != fmt.Sprint(after) || !nextInStream(t, srv.URL(0), before[2], got) {
		t.Fatalf("stream on a after Redis returned: %v, want %v right after %s", got, after, before[2])
	}
	if status := getStatus(t, a.base+"/readyz"); status != http.StatusOK {
		t.Fatalf("/readyz after Redis returned: %d", status)
	}
}

// BenchmarkClusterLatency publishes one price at a time with POST
// /api/prices to one instance and measures how long it takes to arrive on
// a /stocks stream of another: publish→receive across two processes,
// through HTTP, Redis and SSE.
func BenchmarkClusterLatency(b *testing.B) {
	srv := redistest.Start(b)
	pub := startInstance(b, srv.URL(0), "--simulator=false", "--log-level", "warn")
	recv := startInstance(b, srv.URL(0), "--simulator=false", "--log-level", "warn")
	s := openStream(b, recv, "")
	s.next(b) // snapshot
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		mustPublish(b, pub, 1)
		s.updates(b, 1)
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	at := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) }
	b.ReportMetric(at(0.50), "p50-µs")
	b.ReportMetric(at(0.99), "p99-µs")
	b.ReportMetric(0, "ns/op")
}

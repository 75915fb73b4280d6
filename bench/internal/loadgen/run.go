// Package loadgen runs one benchmark scenario against one SSE server: it
// opens many streams, publishes at a steady rate through the server's publish
// API and measures deliveries, losses, latency and the server's resources.
package loadgen

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/stockstream/stockstream/bench/internal/hist"
	"github.com/stockstream/stockstream/bench/internal/proc"
	"github.com/stockstream/stockstream/bench/internal/report"
	"github.com/stockstream/stockstream/bench/internal/sseclient"
)

// Config describes one run.
type Config struct {
	Server     string // label of the server under test
	Scenario   string // label of the scenario
	StreamURL  string // GET: the SSE stream
	PublishURL string // POST: a JSON array of {"symbol","price","timestamp"}
	Token      string // bearer token for PublishURL, if any
	PID        int    // the server's process, for RSS and CPU
	// Conns is the number of streams; 0 means as many as the open-file
	// limits of both processes allow.
	Conns int
	// Rate is the publish rate in events/s; 0 holds the streams idle and
	// measures memory only.
	Rate     int
	Duration time.Duration // how long to publish (or hold idle streams)
	Drain    time.Duration // how long to wait for stragglers afterwards
	Sources  int           // loopback source addresses to spread over
	Dialers  int           // concurrent connection attempts
	BufSize  int           // longest line or event a stream may send
	// Conflate, when positive, opens every stream with conflate=<window>:
	// a stream then receives only the latest event per symbol per window,
	// so skipped events are not losses. The check becomes: ids strictly
	// increase and every stream ends with each symbol's last published
	// price; Lost counts the (stream, symbol) pairs that do not.
	Conflate time.Duration
	// CAFile, for an https stream URL, is the PEM certificate to trust:
	// every stream is then an HTTP/2 request on a TLS connection of its
	// own, and the publisher speaks TLS too.
	CAFile string
	// StreamToken, if set, is sent as "Authorization: Bearer" on every
	// stream: a subscriber token.
	StreamToken string
	// Delay, when positive, makes the streams delayed readers: no event
	// may reach them before Delay. The run then measures memory, not
	// deliveries: the server's RSS per reader, and per event published
	// while every event is held for the delay. Events that arrive sooner
	// are counted as early.
	Delay time.Duration
	// Prefill is a number of events published as fast as the server
	// takes them before the streams open, so that the server's history
	// is full and what grows afterwards is what the delay holds.
	Prefill int
	// Fill, for delayed readers, is a number of events published as fast
	// as the server takes them, twice, after the live feed: the growth of
	// the server's live heap between the two (from its /metrics) is what
	// it holds per event of the delay window.
	Fill int
	// MetricsURL is the server's Prometheus metrics (Go's memory
	// statistics among them), read for Fill.
	MetricsURL string
}

// reserveFDs are file descriptors kept free in each process for listeners,
// the publisher and /proc reads.
const reserveFDs = 64

// Run executes the scenario and returns its result.
func Run(ctx context.Context, cfg Config) (*report.Result, error) {
	res := &report.Result{Server: cfg.Server, Scenario: cfg.Scenario, Rate: cfg.Rate}
	nofile, err := proc.RaiseNoFile()
	if err != nil {
		return nil, fmt.Errorf("raising the open-file limit: %w", err)
	}
	res.NoFile = nofile
	if cfg.Conns <= 0 {
		cfg.Conns = maxConns(nofile, cfg.PID)
	}
	res.Conns = cfg.Conns
	target, err := url.Parse(cfg.StreamURL)
	if err != nil {
		return nil, err
	}
	if cfg.Conflate > 0 {
		q := target.Query()
		q.Set("conflate", cfg.Conflate.String())
		target.RawQuery = q.Encode()
		res.Conflate = cfg.Conflate.String()
	}
	if res.RSSBaseKiB, err = proc.RSSKiB(cfg.PID); err != nil {
		return nil, err
	}
	dial, pubClient, err := dialer(cfg, target)
	if err != nil {
		return nil, err
	}
	if target.Scheme == "https" {
		res.Proto = "HTTP/2"
	}
	capacity := cfg.Prefill + 2*cfg.Fill + cfg.Rate*int(cfg.Duration/time.Second+2) + 1024 // and warm-up
	c := newClock(capacity)
	pub := &publisher{client: pubClient, url: cfg.PublishURL, token: cfg.Token, clock: c}
	if cfg.Prefill > 0 {
		if err := pub.prefill(ctx, cfg.Prefill); err != nil {
			return res, err
		}
		sleep(ctx, time.Second)
		res.RSSBaseKiB, _ = proc.RSSKiB(cfg.PID)
	}

	recvs, msgs, failed := openAll(ctx, dial, cfg.Conns, cfg.Dialers, cfg.Conflate > 0)
	res.Open, res.Failed, res.Errors = len(recvs), failed, msgs
	if len(recvs) == 0 {
		return res, fmt.Errorf("no stream opened: %v", msgs)
	}
	var h hist.Histogram
	var wg sync.WaitGroup
	for _, r := range recvs {
		wg.Go(func() { r.run(c, &h, cfg.BufSize) })
	}
	defer func() {
		closeAll(recvs)
		wg.Wait()
	}()
	sleep(ctx, time.Second) // let every server register its subscribers
	res.RSSIdleKiB, _ = proc.RSSKiB(cfg.PID)
	res.PerConnKiB = float64(res.RSSIdleKiB-res.RSSBaseKiB) / float64(len(recvs))
	switch {
	case cfg.Rate == 0:
		// The figure is read after the hold: what the streams keep, not
		// the peak of opening them.
		sleep(ctx, cfg.Duration)
		res.RSSEndKiB, _ = proc.RSSKiB(cfg.PID)
		res.PerConnKiB = float64(res.RSSEndKiB-res.RSSBaseKiB) / float64(len(recvs))
		res.Disconnects = countDead(recvs)
	case cfg.Delay > 0:
		publishDelayed(ctx, cfg, res, recvs, pub)
	default:
		publishAndMeasure(ctx, cfg, res, recvs, pub, &h)
	}
	return res, nil
}

// dialer returns how the run opens its streams and the publisher's HTTP
// client: raw HTTP/1.1 streams, or HTTP/2 over TLS for an https URL.
func dialer(cfg Config, target *url.URL) (dialFunc, *http.Client, error) {
	header := http.Header{"Accept": {"text/event-stream"}, "Cache-Control": {"no-cache"}}
	if cfg.StreamToken != "" {
		header.Set("Authorization", "Bearer "+cfg.StreamToken)
	}
	const timeout = 10 * time.Second
	if target.Scheme != "https" {
		dial := func(ctx context.Context, i int) (*sseclient.Stream, error) {
			return sseclient.Dial(ctx, target, sseclient.Source(i, cfg.Sources), header, timeout)
		}
		return dial, &http.Client{Timeout: timeout}, nil
	}
	if cfg.CAFile == "" {
		return nil, nil, errors.New("an https stream needs --ca, the server's certificate")
	}
	roots, err := sseclient.LoadRoots(cfg.CAFile)
	if err != nil {
		return nil, nil, err
	}
	dial := func(ctx context.Context, i int) (*sseclient.Stream, error) {
		return sseclient.DialH2(ctx, target, sseclient.Source(i, cfg.Sources), roots, header, timeout)
	}
	pub := &http.Client{Timeout: timeout, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: roots}, ForceAttemptHTTP2: true,
	}}
	return dial, pub, nil
}

// publishDelayed publishes to delayed readers at the configured rate for
// the configured duration: no event may reach a reader within the run
// (those that do are counted as early, and the result says the delay was
// not kept). Then it measures what the server holds per event of the
// delay window (see Config.Fill).
func publishDelayed(ctx context.Context, cfg Config, res *report.Result, recvs []*receiver, pub *publisher) {
	res.Delay = cfg.Delay.String()
	pub.clock.floor.Store(pub.seq)
	server := proc.NewSampler(cfg.PID)
	start := time.Now()
	published := pub.run(ctx, cfg.Rate, cfg.Duration) - pub.clock.floor.Load()
	res.Seconds = time.Since(start).Seconds()
	res.ServerCPU = server.Percent()
	res.Published = published
	if cfg.Fill > 0 {
		if err := measureFill(ctx, cfg, res, pub); err != nil {
			res.Errors = append(res.Errors, "fill: "+err.Error())
		}
	}
	sleep(ctx, time.Second)
	res.RSSEndKiB, _ = proc.RSSKiB(cfg.PID)
	for _, r := range recvs {
		res.Early += r.got.Load()
		if r.dead.Load() {
			res.Disconnects++
			res.Errors = appendErr(res.Errors, r)
		}
	}
	if res.Early > 0 {
		res.Errors = append(res.Errors, fmt.Sprintf("the delay was not kept: %d events reached delayed readers within the run, before the %s delay", res.Early, cfg.Delay))
	}
	if pub.failed > 0 {
		res.Errors = append(res.Errors, fmt.Sprintf("%d events failed to publish", pub.failed))
	}
	res.Errors = append(res.Errors, pub.errs...)
}

// measureFill publishes cfg.Fill events as fast as the server takes them,
// twice, and sets the server's live heap after each and the growth per
// event between them. Publishing that fast makes the server collect
// often, so the live heap it reports (its heap goal over 1 + GOGC/100,
// from the collection before) is recent after each fill.
func measureFill(ctx context.Context, cfg Config, res *report.Result, pub *publisher) error {
	var live [2]float64
	for i := range live {
		if err := pub.prefill(ctx, cfg.Fill); err != nil {
			return err
		}
		var err error
		if live[i], err = liveHeap(ctx, pub.client, cfg.MetricsURL); err != nil {
			return err
		}
	}
	res.FillEvents = cfg.Fill
	res.HeapLiveKiB = [2]int64{int64(live[0] / 1024), int64(live[1] / 1024)}
	res.PerEventBytes = (live[1] - live[0]) / float64(cfg.Fill)
	return nil
}

// liveHeap estimates a Go server's live heap from its metrics: the heap
// goal its last collection set, over 1 + GOGC/100.
func liveHeap(ctx context.Context, client *http.Client, url string) (float64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var goal, gogc float64 = -1, -1
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		name, value, _ := strings.Cut(sc.Text(), " ")
		switch name {
		case "go_memstats_next_gc_bytes":
			goal, _ = strconv.ParseFloat(value, 64)
		case "go_gc_gogc_percent":
			gogc, _ = strconv.ParseFloat(value, 64)
		}
	}
	if goal < 0 || gogc <= 0 {
		return 0, fmt.Errorf("%s: no go_memstats_next_gc_bytes and go_gc_gogc_percent", url)
	}
	return goal / (1 + gogc/100), nil
}

// publishAndMeasure publishes for the configured duration, waits for the
// stragglers and fills in the delivery, latency and CPU figures.
func publishAndMeasure(ctx context.Context, cfg Config, res *report.Result, recvs []*receiver, pub *publisher, h *hist.Histogram) {
	c := pub.clock
	if !pub.warmUp(ctx, recvs, 10*time.Second) {
		res.Errors = append(res.Errors, "warm-up: not every stream received an event within 10s")
	}
	c.floor.Store(pub.seq)
	live := 0
	for _, r := range recvs {
		if r.dead.Load() {
			res.Failed++
			res.Errors = appendErr(res.Errors, r)
		} else {
			live++
		}
	}
	server := proc.NewSampler(cfg.PID)
	self := proc.NewSampler(os.Getpid())
	start := time.Now()
	published := pub.run(ctx, cfg.Rate, cfg.Duration) - c.floor.Load()
	elapsed := time.Since(start)
	res.ServerCPU, res.LoadgenCPU = server.Percent(), self.Percent()
	waitDelivered(ctx, recvs, pub.seq, cfg.Drain)
	res.RSSEndKiB, _ = proc.RSSKiB(cfg.PID)

	res.Seconds = elapsed.Seconds()
	res.Published = published
	res.Expected = published * uint64(live)
	for _, r := range recvs {
		if r.last.Load() == 0 {
			continue // never opened: counted as failed, not as lost
		}
		got, gaps := r.got.Load(), r.gaps.Load()
		res.Delivered += got
		res.Duplicates += r.dups.Load()
		switch {
		case r.finals != nil:
			res.Lost += r.staleFinals(pub.seq)
		default:
			res.Lost += gaps
			if got+gaps < published {
				res.Late += published - got - gaps
			}
		}
		if r.dead.Load() {
			res.Disconnects++
			res.Errors = appendErr(res.Errors, r)
		}
	}
	res.PerSecond = float64(res.Delivered) / elapsed.Seconds()
	res.Latency = report.Latency{P50: ms(h.Quantile(0.50)), P99: ms(h.Quantile(0.99)), Max: ms(h.Max())}
	if pub.failed > 0 {
		res.Errors = append(res.Errors, fmt.Sprintf("%d events failed to publish", pub.failed))
	}
	res.Errors = append(res.Errors, pub.errs...)
}

// appendErr adds why r ended to errs, keeping the first few.
func appendErr(errs []string, r *receiver) []string {
	if e := r.err.Load(); e != nil && len(errs) < 8 {
		return append(errs, fmt.Sprintf("stream %d: %v", r.id, *e))
	}
	return errs
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// waitDelivered waits until every live stream has received the last event,
// or until the drain time is over.
func waitDelivered(ctx context.Context, recvs []*receiver, last uint64, drain time.Duration) {
	deadline := time.Now().Add(drain)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		done := true
		for _, r := range recvs {
			if !r.dead.Load() && r.last.Load() < last {
				done = false
				break
			}
		}
		if done {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func countDead(recvs []*receiver) int {
	n := 0
	for _, r := range recvs {
		if r.dead.Load() {
			n++
		}
	}
	return n
}

func closeAll(recvs []*receiver) {
	for _, r := range recvs {
		r.stream.Close()
	}
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-time.After(d):
	case <-ctx.Done():
	}
}

// maxConns is the number of streams both this process and the server can
// hold open: the smaller open-file limit, less a reserve.
func maxConns(own uint64, pid int) int {
	n := int(own)
	if s := serverNoFile(pid); s > 0 && s < n {
		n = s
	}
	return n - reserveFDs
}

// serverNoFile reads the soft open-file limit of pid, or 0.
func serverNoFile(pid int) int {
	f, err := os.Open(fmt.Sprintf("/proc/%d/limits", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "Max open files"); ok {
			if f := strings.Fields(rest); len(f) > 0 {
				n, _ := strconv.Atoi(f[0])
				return n
			}
		}
	}
	return 0
}

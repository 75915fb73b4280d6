package loadgen

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// symbols are cycled through by the published events.
var symbols = []string{"AAPL", "MSFT", "GOOG", "AMZN"}

// publisher posts events at a steady rate. Event k (from 1) carries k as its
// integer price, so receivers detect gaps, and the send time as its
// timestamp.
type publisher struct {
	client *http.Client
	url    string
	token  string
	clock  *clock
	seq    uint64
	body   []byte
	errs   []string
	failed int
}

// tick is how often the publisher posts the events that are due.
const tick = 10 * time.Millisecond

// run publishes rate events per second for d, batching the events due at
// each tick into one request, and returns the last sequence number.
func (p *publisher) run(ctx context.Context, rate int, d time.Duration) uint64 {
	start, first := time.Now(), p.seq
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		el := time.Since(start)
		if el >= d || ctx.Err() != nil {
			return p.seq
		}
		due := first + uint64(float64(rate)*el.Seconds()) + 1
		if due > uint64(len(p.clock.sent)-1) {
			due = uint64(len(p.clock.sent) - 1)
		}
		if n := int(due - p.seq); n > 0 {
			p.post(ctx, n)
		}
		select {
		case <-t.C:
		case <-ctx.Done():
		}
	}
}

// post publishes the next n events in one request.
func (p *publisher) post(ctx context.Context, n int) {
	now := time.Now()
	sent := p.clock.now()
	b := append(p.body[:0], '[')
	for i := range n {
		seq := p.seq + uint64(i) + 1
		p.clock.sent[seq].Store(sent)
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"symbol":"`...)
		b = append(b, symbols[seq%uint64(len(symbols))]...)
		b = append(b, `","price":`...)
		b = strconv.AppendUint(b, seq, 10)
		b = append(b, `,"timestamp":"`...)
		b = now.UTC().AppendFormat(b, time.RFC3339Nano)
		b = append(b, `"}`...)
	}
	b = append(b, ']')
	p.body = b
	p.seq += uint64(n)
	if err := p.send(ctx, b); err != nil {
		p.failed += n
		if len(p.errs) < 5 {
			p.errs = append(p.errs, err.Error())
		}
	}
}

func (p *publisher) send(ctx context.Context, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if p.token != "" {
		req.Header.Set("Authorization", "Bearer "+p.token)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	io.Copy(io.Discard, resp.Body) // keep the connection reusable
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("publish: %s: %s", resp.Status, bytes.TrimSpace(msg))
	}
	return nil
}

// prefill publishes n events in batches of 1,000, each as soon as the
// server took the one before.
func (p *publisher) prefill(ctx context.Context, n int) error {
	for n > 0 && ctx.Err() == nil {
		k := min(n, 1000)
		p.post(ctx, k)
		n -= k
	}
	if p.failed > 0 {
		return fmt.Errorf("prefill: %d events failed to publish: %v", p.failed, p.errs)
	}
	return ctx.Err()
}

// warmUp publishes one event every 100ms until every stream that is still
// open has received one, so that measuring starts with every subscriber
// registered. It reports whether that happened within limit.
func (p *publisher) warmUp(ctx context.Context, recvs []*receiver, limit time.Duration) bool {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		p.post(ctx, 1)
		time.Sleep(100 * time.Millisecond)
		if allReceived(recvs) {
			return true
		}
	}
	return false
}

// allReceived reports whether every open stream has received an event.
func allReceived(recvs []*receiver) bool {
	for _, r := range recvs {
		if !r.dead.Load() && r.last.Load() == 0 {
			return false
		}
	}
	return true
}

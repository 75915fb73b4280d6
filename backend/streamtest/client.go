// Package streamtest is a resuming SSE client for tests that prove no event
// is lost: it reads a numbered sequence of prices (the n-th event is priced n
// cents), reconnects with its last id after every drop, and can abort and
// stall on its own to provoke drops.
package streamtest

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/stockstream/stockstream/shared/sse"
	"github.com/stockstream/stockstream/shared/stock"
)

// Client reads a stream until it has seen the last price of a sequence.
type Client struct {
	HTTP *http.Client
	// URL returns the stream URL for each new connection, so a client can
	// move between instances.
	URL func() string
	// Rng, if set, makes the client abort after a random number of events,
	// stall now and then, and resume by header or by query at random.
	Rng *rand.Rand
	// AllowSnapshots accepts a snapshot on resume (as after a broker lost
	// its tail) instead of failing: it is recorded in Frames.
	AllowSnapshots bool

	LastID   string
	Prices   []int64 // cents, in arrival order
	Frames   []Frame // every update and snapshot read, for CheckRun
	Connects int
	Aborts   int

	opened     chan struct{} // closed once the first opening was read (Go makes it)
	openedOnce sync.Once
}

// Run reads, reconnecting after every drop, until the price lastCents
// arrives or ctx ends. After a connection that brought no event (a server
// whose broker is away ends streams at once) it waits a little.
func (c *Client) Run(ctx context.Context, lastCents int64) error {
	for ctx.Err() == nil {
		read := len(c.Frames)
		if done, err := c.Session(ctx, lastCents); done || err != nil {
			return err
		}
		if len(c.Frames) == read {
			time.Sleep(20 * time.Millisecond) // retry soon, not at once
		}
	}
	return ctx.Err()
}

// Session is one connection. It reports done once lastCents arrived, and an
// error if the stream proves an event was lost (a snapshot on resume).
func (c *Client) Session(ctx context.Context, lastCents int64) (done bool, err error) {
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	req, err := http.NewRequestWithContext(sctx, "GET", c.URL(), nil)
	if err != nil {
		return false, err
	}
	c.setResumeID(req)
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return false, nil // refused or killed while connecting: retry
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		time.Sleep(20 * time.Millisecond) // a limit or a restart: retry soon
		return false, nil
	}
	c.Connects++
	return c.read(sse.NewReader(resp.Body, 1<<20), lastCents)
}

// setResumeID sends the last id by header, or by query at random.
func (c *Client) setResumeID(req *http.Request) {
	if c.LastID == "" {
		return
	}
	if c.Rng != nil && c.Rng.IntN(2) == 0 {
		q := req.URL.Query()
		q.Set("lastEventId", c.LastID)
		req.URL.RawQuery = q.Encode()
		return
	}
	req.Header.Set("Last-Event-ID", c.LastID)
}

func (c *Client) read(r *sse.Reader, lastCents int64) (bool, error) {
	abortAfter := -1
	if c.Rng != nil {
		abortAfter = 50 + c.Rng.IntN(400)
	}
	for n := 0; ; n++ {
		ev, err := r.Next()
		if err != nil {
			return false, nil // dropped: resume
		}
		if n == 0 && c.opened != nil {
			c.openedOnce.Do(func() { close(c.opened) })
		}
		id, _ := stock.ParseID(string(ev.ID))
		switch string(ev.Type) {
		case stock.EventSnapshot:
			if c.LastID != "" && !c.AllowSnapshots {
				return false, fmt.Errorf("snapshot on resume from %s: the server no longer held what followed it", c.LastID)
			}
			c.Frames = append(c.Frames, Frame{ID: id, Snapshot: true})
		case stock.EventUpdate:
			var e stock.StockPriceEvent
			if err := json.Unmarshal(ev.Data, &e); err != nil {
				return false, err
			}
			cents := e.Price.Micros() / 10_000
			c.Prices = append(c.Prices, cents)
			c.Frames = append(c.Frames, Frame{ID: id, Cents: cents})
			if cents == lastCents {
				c.LastID = r.LastEventID()
				return true, nil
			}
		}
		c.LastID = r.LastEventID()
		if n == abortAfter {
			c.Aborts++
			return false, nil
		}
		if c.Rng != nil && c.Rng.IntN(500) == 0 {
			time.Sleep(time.Duration(c.Rng.IntN(300)) * time.Millisecond) // a stalled reader
		}
	}
}

// Check reports whether prices are exactly 1, 2, …, n cents: every price
// once, in order.
func Check(prices []int64, n int) error {
	for i, p := range prices {
		if p != int64(i+1) {
			return fmt.Errorf("price #%d of %d is %d cents: lost, repeated or out of order", i+1, n, p)
		}
	}
	if len(prices) != n {
		return fmt.Errorf("saw %d prices, want %d", len(prices), n)
	}
	return nil
}

// Sequence returns the quotes of prices from cents to cents+n-1 for symbol.
func Sequence(symbol string, cents int64, n int) []stock.Quote {
	qs := make([]stock.Quote, n)
	for i := range qs {
		qs[i] = stock.Quote{Symbol: symbol, Price: stock.PriceFromCents(cents + int64(i))}
	}
	return qs
}

// Group runs clients side by side.
type Group struct {
	Clients []*Client
	wg      sync.WaitGroup
	errs    chan error
}

// Go starts run for every client, each on its own goroutine.
func Go(clients []*Client, run func(*Client) error) *Group {
	g := &Group{Clients: clients, errs: make(chan error, len(clients))}
	for _, c := range clients {
		c.opened = make(chan struct{})
		g.wg.Go(func() { g.errs <- run(c) })
	}
	return g
}

// WaitOpened waits until every client has read the opening of its first
// stream (its snapshot, or the first event of its replay): from then on a
// client that is cut resumes from an id and may miss nothing.
func (g *Group) WaitOpened(ctx context.Context) error {
	for i, c := range g.Clients {
		select {
		case <-c.opened:
		case <-ctx.Done():
			return fmt.Errorf("client %d: no opening read: %w", i, ctx.Err())
		}
	}
	return nil
}

// WaitDone waits for every client and returns the first error one ended
// with and the connections made in all.
func (g *Group) WaitDone() (connects int, err error) {
	g.wg.Wait()
	close(g.errs)
	for e := range g.errs {
		err = cmp.Or(err, e)
	}
	for _, c := range g.Clients {
		connects += c.Connects
	}
	return connects, err
}

// Wait waits for every client, then checks that each saw the prices 1 to n
// exactly once, in order; it returns the connections and self-aborts made
// in all.
func (g *Group) Wait(n int) (connects, aborts int, err error) {
	g.wg.Wait()
	close(g.errs)
	for err := range g.errs {
		if err != nil {
			return 0, 0, err
		}
	}
	for i, c := range g.Clients {
		connects, aborts = connects+c.Connects, aborts+c.Aborts
		if err := Check(c.Prices, n); err != nil {
			return 0, 0, fmt.Errorf("client %d: %w", i, err)
		}
	}
	return connects, aborts, nil
}

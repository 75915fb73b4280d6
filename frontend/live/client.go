package live

import (
	"encoding/json"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/stockstream/stockstream/frontend/batch"
	"github.com/stockstream/stockstream/frontend/sse"
	"github.com/stockstream/stockstream/shared/backoff"
	"github.com/stockstream/stockstream/shared/stock"
)

// Status is the state the connection badge shows.
type Status string

// The connection states, as written in the page's data-status attribute.
const (
	StatusConnecting Status = "connecting"
	StatusLive       Status = "live"
	StatusOffline    Status = "offline"
)

// OfflineAfter is the number of consecutive failures after which a client
// that was live reports offline rather than connecting. A client that has
// never been live reports offline at its first failure.
const OfflineAfter = 2

// QueueLimit bounds the items waiting for the UI.
const QueueLimit = 20_000

// Item is one thing the stream delivered, in stream order: either a
// snapshot that replaces the board or one live update.
type Item struct {
	Snapshot []stock.StockPriceEvent // set for a snapshot
	IsSnap   bool
	Event    stock.StockPriceEvent // set for an update
	ID       string                // the SSE id of the item
}

// Dialer opens a stream; sse.Dial in the browser, a fake in tests.
type Dialer func(url string, types []string, h sse.Handlers) sse.Stream

// Config configures a Client.
type Config struct {
	// Path is the stream's URL path, "/stocks" if empty.
	Path string
	// Dial opens streams (sse.Dial if nil).
	Dial Dialer
	// Backoff spaces the reconnects (backoff.Default if zero).
	Backoff backoff.Policy
	// AfterFunc schedules a reconnect (time.AfterFunc if nil).
	AfterFunc func(time.Duration, func()) (stop func() bool)
}

// Client is one logical connection to the stream that survives the loss of
// any number of EventSources.
type Client struct {
	cfg   Config
	queue *batch.Queue[Item]

	mu        sync.Mutex
	stream    sse.Stream
	gen       int // generation of stream; callbacks of older ones are ignored
	symbols   []string
	lastID    string
	status    Status
	failures  int
	everLive  bool
	stopTimer func() bool
	dirty     bool
	closed    bool
}

// New returns a Client that is not connected yet; call Connect.
func New(cfg Config) *Client {
	if cfg.Path == "" {
		cfg.Path = "/stocks"
	}
	if cfg.Dial == nil {
		cfg.Dial = sse.Dial
	}
	if cfg.Backoff.Base <= 0 {
		cfg.Backoff = backoff.Default
	}
	if cfg.AfterFunc == nil {
		cfg.AfterFunc = func(d time.Duration, f func()) func() bool { return time.AfterFunc(d, f).Stop }
	}
	return &Client{cfg: cfg, queue: batch.NewQueue[Item](QueueLimit), status: StatusConnecting}
}

// Connect (re)opens the stream for symbols (all when empty) from scratch:
// the server answers with a snapshot. It replaces any current stream.
func (c *Client) Connect(symbols []string) {
	c.mu.Lock()
	c.symbols = symbols
	c.lastID = ""
	c.failures = 0
	c.mu.Unlock()
	c.reopen()
}

// Close closes the stream and stops reconnecting. It releases every browser
// function the client created.
func (c *Client) Close() {
	c.mu.Lock()
	c.closed = true
	old := c.detach()
	c.mu.Unlock()
	if old != nil {
		old.Close()
	}
}

// Status returns the connection state and the id of the last event received.
func (c *Client) Status() (Status, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.status, c.lastID
}

// Dirty reports whether anything changed since the last Drain.
func (c *Client) Dirty() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.dirty
}

// Drain returns the items received since the last Drain, in stream order,
// and how many were dropped because the UI fell behind.
func (c *Client) Drain() ([]Item, int) {
	c.mu.Lock()
	c.dirty = false
	c.mu.Unlock()
	return c.queue.Drain()
}

// Check is the watchdog: called periodically, it reconnects a stream that the
// browser closed for good when no reconnect is pending.
func (c *Client) Check() {
	c.mu.Lock()
	s, pending := c.stream, c.stopTimer != nil
	c.mu.Unlock()
	if s != nil && !pending && s.ReadyState() == sse.Closed {
		c.failed(c.currentGen(), sse.Closed)
	}
}

// url returns the stream URL for the current symbols and last id.
func (c *Client) url() string {
	q := url.Values{}
	if len(c.symbols) > 0 {
		q.Set("symbols", strings.Join(c.symbols, ","))
	}
	if c.lastID != "" {
		q.Set("lastEventId", c.lastID)
	}
	if len(q) == 0 {
		return c.cfg.Path
	}
	return c.cfg.Path + "?" + q.Encode()
}

// reopen closes the current stream and dials a new one from the last id.
func (c *Client) reopen() {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	old := c.detach()
	c.gen++
	gen, u := c.gen, c.url()
	c.mu.Unlock()
	if old != nil {
		old.Close()
	}
	s := c.cfg.Dial(u, []string{stock.EventSnapshot, stock.EventUpdate}, c.handlers(gen))
	c.mu.Lock()
	if c.gen != gen || c.closed {
		c.mu.Unlock()
		s.Close()
		return
	}
	c.stream = s
	c.mu.Unlock()
}

// detach forgets the current stream and pending reconnect; the caller
// closes the returned stream outside the lock.
func (c *Client) detach() sse.Stream {
	if c.stopTimer != nil {
		c.stopTimer()
		c.stopTimer = nil
	}
	s := c.stream
	c.stream = nil
	return s
}

func (c *Client) currentGen() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

func (c *Client) handlers(gen int) sse.Handlers {
	return sse.Handlers{
		Open:    func() { c.opened(gen) },
		Message: func(m sse.Message) { c.received(gen, m) },
		Error:   func(rs sse.ReadyState) { c.failed(gen, rs) },
	}
}

func (c *Client) opened(gen int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen == c.gen {
		c.setLive()
	}
}

func (c *Client) setLive() {
	c.status, c.failures, c.everLive, c.dirty = StatusLive, 0, true, true
}

// received decodes one message and queues it. A message that does not
// decode is dropped: the next snapshot or update corrects the board.
func (c *Client) received(gen int, m sse.Message) {
	item, ok := decode(m)
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen || !ok {
		return
	}
	if m.LastEventID != "" {
		c.lastID = m.LastEventID
	}
	c.queue.Push(item)
	c.setLive()
}

// failed handles an error on stream gen. While the browser reconnects by
// itself (Connecting) only the status changes; a Closed stream is replaced
// after a backoff.
func (c *Client) failed(gen int, rs sse.ReadyState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen || c.closed {
		return
	}
	c.failures++
	c.dirty = true
	c.status = StatusConnecting
	if !c.everLive || c.failures >= OfflineAfter {
		c.status = StatusOffline
	}
	if rs != sse.Closed || c.stopTimer != nil {
		return
	}
	delay := c.cfg.Backoff.Delay(c.failures - 1)
	c.stopTimer = c.cfg.AfterFunc(delay, func() {
		c.mu.Lock()
		c.stopTimer = nil
		stale := gen != c.gen
		c.mu.Unlock()
		if !stale {
			c.reopen()
		}
	})
}

func decode(m sse.Message) (Item, bool) {
	switch m.Type {
	case stock.EventSnapshot:
		var evs []stock.StockPriceEvent
		if err := json.Unmarshal([]byte(m.Data), &evs); err != nil {
			return Item{}, false
		}
		return Item{IsSnap: true, Snapshot: evs, ID: m.LastEventID}, true
	case stock.EventUpdate:
		var ev stock.StockPriceEvent
		if err := json.Unmarshal([]byte(m.Data), &ev); err != nil {
			return Item{}, false
		}
		if ev.ID == "" {
			ev.ID = m.LastEventID
		}
		return Item{Event: ev, ID: ev.ID}, true
	}
	return Item{}, false
}

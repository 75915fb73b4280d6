package live

import (
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/stockstream/stockstream/frontend/sse"
	"github.com/stockstream/stockstream/shared/backoff"
	"github.com/stockstream/stockstream/shared/message"
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

// QueueLimit bounds the items waiting for the UI. When it is reached the
// queued items are dropped and Drain reports how many, so that the UI starts
// over from a snapshot.
const QueueLimit = 20_000

// CheckAfter is how long a stream may stay without opening before the
// client looks whether the browser gave up on it without saying so.
const CheckAfter = 5 * time.Second

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
	// AfterFunc schedules reconnects and checks (time.AfterFunc if nil).
	AfterFunc func(time.Duration, func()) (stop func() bool)
	// Notify, if not nil, is called when there is news for the UI
	// (messages or a new status) and the UI has drained everything before:
	// once per Drain, however many messages arrive. It is called from the
	// browser's event loop without the client's lock held and must not
	// block. SetNotify sets it later.
	Notify func()
	// Vet, if not nil, is asked whether the page may still read each time
	// a stream fails, and when one has not opened after CheckAfter: an
	// EventSource cannot see the status it was refused with, so Vet looks
	// (the page asks the server what it may read) and calls answer once,
	// from any goroutine, with nil to go on or with why the page may not
	// read, which stops the client (see Stop). With a Vet, a failed
	// stream is closed at once and replaced only once Vet has answered:
	// the browser's own reconnect, which would read with whatever
	// credentials the browser holds by then (an ended session reads as
	// anonymous), never happens. SetVet sets it later.
	Vet func(answer func(refused error))
}

// Client is one logical connection to the stream that survives the loss of
// any number of EventSources. The app opens it before the page mounts and
// every page shares it.
type Client struct {
	cfg Config

	mu        sync.Mutex
	queue     []message.Message
	decoder   *message.Decoder // of the current position in the stream
	dropped   int
	stream    sse.Stream
	gen       int // generation of stream; callbacks of older ones are ignored
	symbols   []string
	conflate  time.Duration // the server's conflation window; 0: every event
	status    Status
	failures  int
	everLive  bool
	stopTimer func() bool // pending reconnect
	checking  bool        // a check of a stream not yet open is pending
	vetting   bool        // a Vet of generation vetGen is pending
	vetGen    int
	dirty     bool // news since the last Drain
	stopped   bool // Stop was called: no stream until Connect
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
	return &Client{cfg: cfg, status: StatusConnecting, decoder: message.Resume("")}
}

// Connect (re)opens the stream for symbols (all when empty) from scratch:
// the server answers with a snapshot. It replaces any current stream, and
// ends a Stop.
func (c *Client) Connect(symbols []string) {
	c.mu.Lock()
	c.symbols = symbols
	c.decoder = message.Resume("")
	c.failures = 0
	if c.stopped {
		c.stopped, c.status = false, StatusConnecting
	}
	c.mu.Unlock()
	c.reopen()
}

// Stop closes the stream and opens none until the next Connect: the page
// may not read now, or not with the rights it read with. The status is
// offline meanwhile. What was received before stays queued for Drain.
func (c *Client) Stop() {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	old, f := c.stop()
	c.mu.Unlock()
	if old != nil {
		old.Close()
	}
	notify(f)
}

// stop stops the client (see Stop); c.mu is held. The caller closes the
// returned stream and calls the returned Notify once the lock is
// released.
func (c *Client) stop() (sse.Stream, func()) {
	old := c.detach()
	c.stopped = true
	c.gen++ // late callbacks and answers of Vet are ignored
	c.status = StatusOffline
	return old, c.news()
}

// Symbols returns the symbols the stream is filtered on (all when empty).
func (c *Client) Symbols() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.symbols
}

// SetNotify sets the function called when there is news (Config.Notify).
// When news is waiting already, f is called at once.
func (c *Client) SetNotify(f func()) {
	c.mu.Lock()
	c.cfg.Notify = f
	waiting := c.dirty || len(c.queue) > 0
	c.dirty = false
	var call func()
	if waiting {
		call = c.news()
	}
	c.mu.Unlock()
	notify(call)
}

// SetVet sets the function asked whether the page may still read
// (Config.Vet).
func (c *Client) SetVet(vet func(answer func(refused error))) {
	c.mu.Lock()
	c.cfg.Vet = vet
	c.mu.Unlock()
}

// Conflate asks the server for at most one event per symbol per window d,
// always the latest (0: every event), from the next connection on. An open
// stream is reopened after the last event received, so nothing is missed:
// the server then sends the latest price of each symbol changed since.
func (c *Client) Conflate(d time.Duration) {
	c.mu.Lock()
	changed, open := c.conflate != d, c.stream != nil
	c.conflate = d
	c.mu.Unlock()
	if changed && open {
		c.reopen()
	}
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
	return c.status, c.decoder.Last()
}

// Drain returns the messages received since the last Drain, in stream
// order, and how many were dropped because the UI fell behind. The next
// news calls Notify again.
func (c *Client) Drain() (items []message.Message, dropped int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	items, dropped = c.queue, c.dropped
	c.queue, c.dropped, c.dirty = nil, 0, false
	return items, dropped
}

// Check is the watchdog of a stream that has not opened: it reconnects a
// stream the browser closed for good without an error event, and looks
// again later while the browser is still trying, asking Vet meanwhile
// whether the page may read at all.
func (c *Client) Check() {
	c.mu.Lock()
	c.checking = false
	s, gen, pending := c.stream, c.gen, c.stopTimer != nil
	c.mu.Unlock()
	if s == nil || pending {
		return
	}
	switch s.ReadyState() {
	case sse.Closed:
		c.failed(gen, sse.Closed)
	case sse.Connecting:
		c.mu.Lock()
		c.watch()
		vet := c.vet()
		c.mu.Unlock()
		notify(vet)
	}
}

// vet returns the call of Vet for the current stream, or nil when there
// is no Vet or a call for this stream is pending; c.mu is held.
func (c *Client) vet() func() {
	if c.cfg.Vet == nil || c.closed || c.stopped || (c.vetting && c.vetGen == c.gen) {
		return nil
	}
	c.vetting, c.vetGen = true, c.gen
	vet, gen := c.cfg.Vet, c.gen
	return func() { vet(func(refused error) { c.vetted(gen, refused) }) }
}

// vetted takes Vet's answer for generation gen: a refusal stops the
// client; otherwise a failed stream is replaced after a backoff. An
// answer about a stream that was replaced since changes nothing.
func (c *Client) vetted(gen int, refused error) {
	c.mu.Lock()
	if gen == c.vetGen {
		c.vetting = false
	}
	if gen != c.gen || c.closed || c.stopped {
		c.mu.Unlock()
		return
	}
	var old sse.Stream
	var f func()
	switch {
	case refused != nil:
		old, f = c.stop()
	case c.stream == nil:
		c.retry(gen, sse.Closed)
	}
	c.mu.Unlock()
	if old != nil {
		old.Close()
	}
	notify(f)
}

// watch schedules a Check unless one is pending; c.mu is held.
func (c *Client) watch() {
	if c.checking || c.closed {
		return
	}
	c.checking = true
	c.cfg.AfterFunc(CheckAfter, c.Check)
}

// news marks that the UI has something to drain; c.mu is held. It returns
// the Notify to call once the lock is released, or nil.
func (c *Client) news() func() {
	if c.dirty {
		return nil
	}
	c.dirty = true
	return c.cfg.Notify
}

// notify calls f if it is not nil.
func notify(f func()) {
	if f != nil {
		f()
	}
}

// url returns the stream URL for the current symbols and last id.
func (c *Client) url() string {
	q := url.Values{}
	if len(c.symbols) > 0 {
		q.Set("symbols", strings.Join(c.symbols, ","))
	}
	if id := c.decoder.Last(); id != "" {
		q.Set("lastEventId", id)
	}
	if c.conflate > 0 {
		q.Set("conflate", strconv.FormatInt(c.conflate.Milliseconds(), 10)+"ms")
	}
	if len(q) == 0 {
		return c.cfg.Path
	}
	return c.cfg.Path + "?" + q.Encode()
}

// reopen closes the current stream and dials a new one from the last id.
func (c *Client) reopen() {
	c.mu.Lock()
	if c.closed || c.stopped {
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
	if c.gen != gen || c.closed || c.stopped {
		c.mu.Unlock()
		s.Close()
		return
	}
	c.stream = s
	c.watch()
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

func (c *Client) handlers(gen int) sse.Handlers {
	return sse.Handlers{
		Open:    func() { c.opened(gen) },
		Message: func(m sse.Message) { c.received(gen, m) },
		Error:   func(rs sse.ReadyState) { c.failed(gen, rs) },
	}
}

func (c *Client) opened(gen int) {
	c.mu.Lock()
	var f func()
	if gen == c.gen {
		f = c.setLive()
	}
	c.mu.Unlock()
	notify(f)
}

// setLive records a working stream; c.mu is held. It returns what news
// returns.
func (c *Client) setLive() func() {
	c.status, c.failures, c.everLive = StatusLive, 0, true
	return c.news()
}

// received decodes one message and queues it. A duplicate is skipped; a
// message that does not decode is dropped: the next snapshot or update
// corrects the board.
func (c *Client) received(gen int, m sse.Message) {
	c.mu.Lock()
	if gen != c.gen {
		c.mu.Unlock()
		return
	}
	item, ok, err := c.decoder.Decode(m.Type, m.LastEventID, []byte(m.Data))
	if !ok || err != nil {
		c.mu.Unlock()
		return
	}
	if len(c.queue) == QueueLimit {
		// The UI starts over from a snapshot after a loss: what is
		// queued is of no use any more.
		c.dropped += len(c.queue)
		c.queue = c.queue[:0]
	}
	c.queue = append(c.queue, item)
	f := c.setLive()
	c.mu.Unlock()
	notify(f)
}

// failed handles an error on stream gen. Without a Vet, while the browser
// reconnects by itself (Connecting) only the status changes, and a Closed
// stream is replaced after a backoff. With one, the stream is closed at
// once and Vet asked; its answer replaces it, or stops the client.
func (c *Client) failed(gen int, rs sse.ReadyState) {
	c.mu.Lock()
	if gen != c.gen || c.closed || c.stopped {
		c.mu.Unlock()
		return
	}
	c.failures++
	c.status = StatusConnecting
	if !c.everLive || c.failures >= OfflineAfter {
		c.status = StatusOffline
	}
	f := c.news()
	var old sse.Stream
	var vet func()
	if c.cfg.Vet != nil {
		old = c.detach()
		c.gen++ // the closed stream's late callbacks are ignored
		vet = c.vet()
	} else {
		c.retry(gen, rs)
	}
	c.mu.Unlock()
	if old != nil {
		old.Close()
	}
	notify(f)
	notify(vet)
}

// retry replaces a stream the browser closed for good after a backoff, or
// watches one it is still retrying; c.mu is held.
func (c *Client) retry(gen int, rs sse.ReadyState) {
	if rs != sse.Closed {
		c.watch()
		return
	}
	if c.stopTimer != nil {
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

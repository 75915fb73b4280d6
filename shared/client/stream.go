package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"mime"
	"net/http"
	"time"

	"github.com/stockstream/stockstream/shared/backoff"
	"github.com/stockstream/stockstream/shared/sse"
)

// Defaults for Connection fields left zero.
const (
	// DefaultReadTimeout is three times the server's default heartbeat.
	DefaultReadTimeout = 45 * time.Second
	// DefaultMaxEventSize bounds one event. A snapshot is the largest: at
	// the server's default cap of 10,000 symbols it is at most 1.5 MB
	// (12-character symbols, the longest ids, prices and timestamps), and
	// this bound takes about 56,000 such symbols.
	DefaultMaxEventSize = 8 << 20
)

// DefaultBackoff is the reconnect policy when Connection.Backoff is zero:
// from the server's retry: (1s until it sends one), doubling on each failed
// attempt, at most 30s, jittered.
var DefaultBackoff = backoff.Policy{Base: time.Second, Max: 30 * time.Second}

// Connection says how a stream connects and reconnects. The zero value is
// ready to use.
type Connection struct {
	// HTTPClient makes the requests; http.DefaultClient if nil. Its Timeout
	// must be zero: a stream is one long response.
	HTTPClient *http.Client
	// Header holds extra request headers (a proxy's credentials, say).
	Header http.Header
	// Token, if set, returns the subscriber token to send as
	// Authorization: Bearer. It is called before every connection
	// attempt, the first and each reconnect, so a long-running consumer
	// hands out a fresh token before the old one expires and resumes
	// without a loss. An error from it ends the sequence (wrapping
	// ErrToken).
	Token func(ctx context.Context) (string, error)
	// ReadTimeout ends a connection on which nothing arrived for this long,
	// waiting for the response included; the client then resumes. Time the
	// consumer spends in the loop body does not count. DefaultReadTimeout
	// if zero; negative: no timeout.
	ReadTimeout time.Duration
	// Backoff paces reconnects: attempt n after n failures in a row waits
	// Backoff.Delay(n), with the server's "retry:" as Base once it sent one,
	// and at least a 429 or 503's Retry-After. DefaultBackoff if zero.
	Backoff backoff.Policy
	// MaxEventSize bounds one line or event in bytes; a larger one ends the
	// sequence with sse.ErrTooLong. DefaultMaxEventSize if zero.
	MaxEventSize int
	// OnReconnect, if set, is called before each wait for a reconnect, on
	// the consumer's goroutine: watch logs it.
	OnReconnect func(Reconnect)
}

// Reconnect describes a dropped or refused connection and the wait before
// the next attempt.
type Reconnect struct {
	Err         error         // why the connection ended
	Wait        time.Duration // before the next attempt
	Attempt     int           // failed attempts in a row, from 1
	LastEventID string        // the id the next attempt resumes from
}

// Stream is a resuming reader of one SSE endpoint: its Events start after
// LastEventID, if set, and resume after the last id seen.
type Stream struct {
	URL         string
	LastEventID string
	Connection
}

// Events connects and yields every event of the stream, reconnecting after
// each drop with the last event id seen. Each Event's slices are valid until
// the loop body returns. The sequence ends after yielding one error: ctx's,
// or a permanent one (a *StatusError that is not Temporary, such as a 401
// or 403 refusing the token, ErrNotEventStream, sse.ErrTooLong,
// ErrInvalidURL, ErrToken); every other failure is a reconnect.
func (s Stream) Events(ctx context.Context) iter.Seq2[sse.Event, error] {
	return func(yield func(sse.Event, error) bool) {
		c := &conn{Stream: s, lastID: s.LastEventID, policy: s.policy()}
		for attempt := 0; ; {
			err := c.session(ctx, yield)
			switch {
			case errors.Is(err, errStopped):
				return
			case ctx.Err() != nil:
				yield(sse.Event{}, ctx.Err())
				return
			case permanent(err):
				yield(sse.Event{}, err)
				return
			}
			if c.delivered {
				attempt = 0
			}
			wait := c.wait(attempt, err)
			attempt++
			if s.OnReconnect != nil {
				s.OnReconnect(Reconnect{Err: err, Wait: wait, Attempt: attempt, LastEventID: c.lastID})
			}
			if !backoff.Sleep(ctx, wait) {
				yield(sse.Event{}, ctx.Err())
				return
			}
		}
	}
}

// errStopped ends a session whose consumer broke out of the loop.
var errStopped = errors.New("consumer stopped")

// conn is the state an Events sequence keeps across connections.
type conn struct {
	Stream
	lastID    string
	policy    backoff.Policy
	delivered bool // the last session yielded at least one event
}

// policy returns the backoff policy with defaults filled in.
func (s Stream) policy() backoff.Policy {
	if s.Backoff.Base == 0 && s.Backoff.Max == 0 {
		p := DefaultBackoff
		p.Rand = s.Backoff.Rand
		return p
	}
	return s.Backoff
}

// wait returns the delay before reconnect attempt n after err.
func (c *conn) wait(n int, err error) time.Duration {
	d := c.policy.Delay(n)
	var se *StatusError
	if errors.As(err, &se) {
		d = max(d, se.RetryAfter)
	}
	return d
}

// session makes one connection and yields its events until it ends.
func (c *conn) session(ctx context.Context, yield func(sse.Event, error) bool) error {
	c.delivered = false
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	wd := newWatchdog(c.readTimeout(), cancel)
	defer wd.disarm()
	resp, err := c.connect(ctx, wd)
	if err != nil {
		return cause(ctx, err)
	}
	defer resp.Body.Close()
	r := sse.NewReader(&watchedReader{r: resp.Body, wd: wd}, c.maxEventSize())
	for {
		ev, err := r.Next()
		if d := r.Retry(); d > 0 {
			c.policy.Base = d
		}
		if err != nil {
			return cause(ctx, err)
		}
		if string(ev.ID) != c.lastID {
			c.lastID = string(ev.ID)
		}
		c.delivered = true
		if !yield(ev, nil) {
			return errStopped
		}
	}
}

// connect sends the request and checks that the answer is an event stream.
func (c *conn) connect(ctx context.Context, wd *watchdog) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.URL, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidURL, err)
	}
	for k, v := range c.Header {
		req.Header[k] = v
	}
	if c.Token != nil {
		tok, err := c.Token(ctx)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrToken, err)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Cache-Control", "no-cache")
	if c.lastID != "" {
		req.Header.Set("Last-Event-ID", c.lastID)
	}
	hc := c.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	wd.arm()
	resp, err := hc.Do(req)
	wd.disarm()
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		return nil, NewStatusError(resp)
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != "text/event-stream" {
		resp.Body.Close()
		return nil, fmt.Errorf("%w: Content-Type %q from %s", ErrNotEventStream, resp.Header.Get("Content-Type"), c.URL)
	}
	return resp, nil
}

// cause returns the reason ctx was cancelled (a read timeout) in place of
// the error it caused, and err otherwise. An orderly end of the stream is
// io.EOF.
func cause(ctx context.Context, err error) error {
	if c := context.Cause(ctx); c != nil && errors.Is(c, ErrReadTimeout) {
		return ErrReadTimeout
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return io.EOF
	}
	return err
}

func (c *conn) readTimeout() time.Duration {
	if c.ReadTimeout == 0 {
		return DefaultReadTimeout
	}
	return c.ReadTimeout
}

func (c *conn) maxEventSize() int {
	if c.MaxEventSize <= 0 {
		return DefaultMaxEventSize
	}
	return c.MaxEventSize
}

// watchdog cancels a connection when it is armed for longer than its
// timeout: while waiting for the response and for each read, never while
// the consumer holds an event.
type watchdog struct {
	d time.Duration
	t *time.Timer
}

func newWatchdog(d time.Duration, cancel context.CancelCauseFunc) *watchdog {
	w := &watchdog{d: d}
	if d > 0 {
		w.t = time.AfterFunc(time.Hour, func() { cancel(ErrReadTimeout) })
		w.t.Stop()
	}
	return w
}

func (w *watchdog) arm() {
	if w.t != nil {
		w.t.Reset(w.d)
	}
}

func (w *watchdog) disarm() {
	if w.t != nil {
		w.t.Stop()
	}
}

// watchedReader arms the watchdog for the duration of each read.
type watchedReader struct {
	r  io.Reader
	wd *watchdog
}

func (w *watchedReader) Read(p []byte) (int, error) {
	w.wd.arm()
	n, err := w.r.Read(p)
	w.wd.disarm()
	return n, err
}

// Package redis is the scale-out Broker: every instance publishes into one
// Redis Stream and reads it back with one reader that feeds its local
// fan-out, so the same event has the same id on every instance and a client
// may resume on any of them.
//
// Keys (with Options.Prefix, "stockstream:" by default):
//
//	seq     the counter of the last assigned id
//	events  the stream; entry "<id>-0" holds fields s (symbol), p (price), t (timestamp)
//	latest  a hash: symbol -> "<id> <price> <timestamp> <open day> <open price>",
//	        the latest event and session open per symbol
//	bars:<symbol>  the symbol's one-minute bars of the last 24 hours: a string
//	        of 1,440 records of 40 bytes, one per minute of the UTC day (56.25 KiB)
//	lease:<name>  the holder of a cluster-wide lease (RunExclusive)
//
// A whole publish batch is one Lua script call, so ids are consecutive and
// the stream, the counter, the latest events and the bars never disagree:
// every instance reads the same bars, and a restarted one has nothing to
// rebuild or count twice.
package redis

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	neturl "net/url"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/fanout"
	"github.com/stockstream/stockstream/shared/backoff"
)

// DefaultPrefix starts the name of every key the broker uses.
const DefaultPrefix = "stockstream:"

// Options configure a Broker.
type Options struct {
	// History is the number of events the stream keeps for replay (at
	// least 1); trimming is approximate, so it may keep somewhat more.
	History int
	// Queue is the per-subscriber queue bound (fanout.DefaultQueue if 0).
	Queue int
	// Prefix starts every key name (DefaultPrefix if empty); brokers with
	// the same Redis database and prefix share one stream.
	Prefix string
	// Logger receives the reader's connection trouble and lease changes
	// (discarded if nil), and go-redis's own lines at debug level.
	Logger *slog.Logger
	// Now returns the time stamped on quotes without one (time.Now if nil).
	Now func() time.Time
	// Malformed, if set, is called for every malformed stored value a read
	// skips (see skipMalformed), with its kind: "entry", "latest" or "bars".
	Malformed func(kind string)
}

// keys are the Redis keys of one broker.
type keys struct {
	prefix, seq, events, latest string
}

func newKeys(prefix string) keys {
	return keys{prefix: prefix, seq: prefix + "seq", events: prefix + "events", latest: prefix + "latest"}
}

// bars returns the key of symbol's bar ring.
func (k keys) bars(symbol string) string { return k.prefix + "bars:" + symbol }

// lease returns the key of the lease name.
func (k keys) lease(name string) string { return k.prefix + "lease:" + name }

// Broker is the Redis Streams backend.Broker.
type Broker struct {
	rdb      *goredis.Client // commands
	feed     *goredis.Client // the reader's blocking XREAD
	feedConn trackedConn     // feed's connection, closed to interrupt it
	keys     keys
	history  int
	queue    int
	now      func() time.Time
	log      *slog.Logger

	malformed func(kind string) // Options.Malformed

	life       context.Context // ends when the broker closes
	stop       context.CancelFunc
	readerDone chan struct{}
	leases     sync.WaitGroup // running RunExclusive calls

	mu     sync.Mutex
	hub    *fanout.Hub
	pos    uint64 // id of the last event delivered to hub
	closed bool
}

var _ backend.Broker = (*Broker)(nil)

// Open connects to the Redis at url (redis://host:port/db), makes sure the
// id counter exists and starts the reader from the current head of the
// stream. While Redis cannot be reached it retries, logging a warning, and
// fails when ctx ends: bound ctx to tolerate a Redis that starts late.
func Open(ctx context.Context, url string, opts Options) (*Broker, error) {
	ropts, err := goredis.ParseURL(url)
	if _, unparsable := errors.AsType[*neturl.Error](err); unparsable {
		return nil, errors.New("redis url: not a valid URL (not shown: it may hold a password)")
	}
	if err != nil {
		return nil, fmt.Errorf("redis url: %w", err)
	}
	failFast(ropts, url)
	if opts.Logger != nil {
		routeClientLog(opts.Logger)
	}
	b := newBroker(ropts, opts)
	head, err := b.waitCounter(ctx)
	if err != nil {
		b.rdb.Close()
		b.feed.Close()
		return nil, err
	}
	b.start(head)
	return b, nil
}

// start runs the reader from the event after pos.
func (b *Broker) start(pos uint64) {
	b.pos = pos
	b.life, b.stop = context.WithCancel(context.Background())
	go b.read(b.life)
}

// failFast shortens go-redis's retries, unless the URL sets them, so that
// with Redis down a publish or a readiness check fails within about a
// second instead of several: the reader and the clients retry anyway.
func failFast(o *goredis.Options, url string) {
	q := query(url)
	o.DialerRetries = 1
	if !q.Has("max_retries") {
		o.MaxRetries = 1
	}
	if !q.Has("dial_timeout") {
		o.DialTimeout = 2 * time.Second
	}
}

// query returns the query parameters of a URL (none if it does not parse).
func query(s string) neturl.Values {
	u, err := neturl.Parse(s)
	if err != nil {
		return nil
	}
	return u.Query()
}

func newBroker(ropts *goredis.Options, opts Options) *Broker {
	if opts.History < 1 {
		opts.History = 1
	}
	if opts.Prefix == "" {
		opts.Prefix = DefaultPrefix
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	b := &Broker{
		rdb:        goredis.NewClient(ropts),
		keys:       newKeys(opts.Prefix),
		history:    opts.History,
		queue:      opts.Queue,
		now:        opts.Now,
		log:        opts.Logger,
		malformed:  opts.Malformed,
		readerDone: make(chan struct{}),
		hub:        fanout.NewHub(opts.Queue),
	}
	feedOpts := *ropts
	feedOpts.PoolSize = 1
	feedOpts.MaxRetries = -1 // the reader retries with its own backoff
	feedOpts.Dialer = b.feedConn.dialer(ropts)
	b.feed = goredis.NewClient(&feedOpts)
	return b
}

// waitCounter calls initCounter until it succeeds or ctx ends.
func (b *Broker) waitCounter(ctx context.Context) (uint64, error) {
	for attempt := 0; ; attempt++ {
		head, err := b.initCounter(ctx)
		if err == nil || ctx.Err() != nil {
			return head, err
		}
		if attempt == 0 {
			b.log.Warn("redis: cannot connect, retrying", "err", err)
		}
		backoff.Sleep(ctx, retry.Delay(attempt))
	}
}

// initCounter creates the id counter if it is missing and returns its
// value, the id of the newest event.
func (b *Broker) initCounter(ctx context.Context) (uint64, error) {
	if err := b.rdb.SetNX(ctx, b.keys.seq, backend.ClockSeq(), 0).Err(); err != nil {
		return 0, unavailable("init "+b.keys.seq, err)
	}
	return b.head(ctx)
}

// head returns the id of the newest event (0 if the counter is missing).
func (b *Broker) head(ctx context.Context) (uint64, error) {
	n, err := b.rdb.Get(ctx, b.keys.seq).Uint64()
	if errors.Is(err, goredis.Nil) {
		return 0, nil
	}
	if err != nil {
		return 0, unavailable("get "+b.keys.seq, err)
	}
	return n, nil
}

// Ready pings Redis.
func (b *Broker) Ready(ctx context.Context) error {
	if b.isClosed() {
		return backend.ErrClosed
	}
	if err := b.rdb.Ping(ctx).Err(); err != nil {
		return unavailable("ping", err)
	}
	return nil
}

// Close ends every subscription, stops the reader and every RunExclusive
// (releasing their leases) and closes the connections.
func (b *Broker) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	hub := b.hub
	b.mu.Unlock()
	hub.Close()
	b.stop()
	b.feedConn.close() // interrupts a blocked XREAD
	<-b.readerDone
	b.feed.Close()
	b.leases.Wait()
	return b.rdb.Close()
}

func (b *Broker) isClosed() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.closed
}

// unavailable wraps a Redis failure in backend.ErrUnavailable.
func unavailable(op string, err error) error {
	return fmt.Errorf("redis %s: %w: %w", op, backend.ErrUnavailable, err)
}

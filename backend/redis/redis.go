// Package redis is the scale-out Broker: every instance publishes into one
// Redis Stream and reads it back with one reader that feeds its local
// fan-out, so the same event has the same id on every instance and a client
// may resume on any of them.
//
// Keys (with Options.Prefix, "stockstream:" by default):
//
//	seq     the id of the newest entry
//	floor   the highest id an instance asked new ids to be above (after
//	        Redis lost its tail, or for a client holding a lost id)
//	events  the stream; entry "<id>-0" holds fields s (symbol), p (price),
//	        t (timestamp), a (id minus accept time in µs) and g (id minus
//	        the previous entry's id)
//	latest  a hash: symbol -> "<id> <price> <timestamp> <open day> <open price>",
//	        the latest event and session open per symbol
//	publish:<key>  the receipt of a keyed publish, "<first id> <accept µs>
//	        <digest>", kept for backend.KeyTTL
//	bars:<symbol>  the symbol's one-minute bars of the last 24 hours: a string
//	        of 1,440 records of 40 bytes, one per minute of the UTC day (56.25 KiB)
//	lease:<name>  the holder of a cluster-wide lease (RunExclusive)
//
// A whole publish batch is one Lua script call, so the stream, the counter,
// the latest events, the bars and the receipt never disagree: every
// instance reads the same bars, and a restarted one has nothing to rebuild
// or count twice.
//
// Ids follow backend.NextSeq and never go back, even when Redis loses its
// tail: every instance passes the highest id it has seen as a floor, and
// its reader, finding the stream no longer holding the newest entry it
// delivered, raises the floor key above it, counts the rollback
// (Options.OnRollback), logs it once and ends its local subscriptions, so
// that their clients come back for a snapshot.
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
	// Queue is how many events a subscriber may fall behind before it is
	// cut as too slow (at least History).
	Queue int
	// MaxReplay bounds the events a resume replays (no bound if 0).
	MaxReplay int
	// Prefix starts every key name (DefaultPrefix if empty); brokers with
	// the same Redis database and prefix share one stream.
	Prefix string
	// Logger receives the reader's connection trouble and lease changes
	// (discarded if nil). go-redis's own lines go where RouteClientLog
	// sends them.
	Logger *slog.Logger
	// Now is the broker's clock (time.Now if nil): the time stamped on
	// quotes without one, the accept time and the time base of ids.
	Now func() time.Time
	// MaxSymbols caps the distinct symbols (0: no cap): a publish that
	// would add one past it fails with backend.ErrTooManySymbols.
	MaxSymbols int
	// OnRollback, if set, is called once each time the reader finds that
	// Redis lost events this instance had delivered.
	OnRollback func()
	// Malformed, if set, is called for every malformed stored value a read
	// skips (see skipMalformed), with its kind: "entry", "latest" or "bars".
	Malformed func(kind string)
}

// keys are the Redis keys of one broker.
type keys struct {
	prefix, seq, floor, events, latest string
}

func newKeys(prefix string) keys {
	return keys{prefix: prefix, seq: prefix + "seq", floor: prefix + "floor", events: prefix + "events", latest: prefix + "latest"}
}

// receipt returns the key of the receipt of a publish with key.
func (k keys) receipt(key string) string { return k.prefix + "publish:" + key }

// bars returns the key of symbol's bar ring.
func (k keys) bars(symbol string) string { return k.prefix + "bars:" + symbol }

// lease returns the key of the lease name.
func (k keys) lease(name string) string { return k.prefix + "lease:" + name }

// Broker is the Redis Streams backend.Broker.
type Broker struct {
	rdb        *goredis.Client // commands, never retried by the client library
	feed       *goredis.Client // the reader's blocking XREAD
	feedConn   trackedConn     // feed's connection, closed to interrupt it
	keys       keys
	history    int
	hubOpts    fanout.Options // of every hub the broker makes
	maxSymbols int
	now        func() time.Time
	log        *slog.Logger
	onRollback func()

	malformed func(kind string) // Options.Malformed

	life       context.Context // ends when the broker closes
	stop       context.CancelFunc
	readerDone chan struct{}
	leases     sync.WaitGroup // running RunExclusive calls

	mu     sync.Mutex
	hub    *fanout.Hub
	pos    uint64        // id of the last entry delivered to hub
	floor  uint64        // the highest id this instance has seen
	moved  chan struct{} // closed when pos moves, made by waitPosition
	closed bool
}

var _ backend.Broker = (*Broker)(nil)

// Open connects to the Redis at url, makes sure the id counter exists and
// starts the reader from the current head of the stream. The url is
// redis://[user:password@]host:port/db (rediss:// for TLS), or
// redis-sentinel://[user:password@]host:port/db?master_name=NAME[&addr=host:port…]
// (rediss-sentinel:// for TLS) to follow the master that the Sentinels at
// host:port and each addr name, through failovers; there the user and
// password are the Sentinels', and the master's are the query parameters
// username and password. While Redis cannot be reached it retries, logging
// a warning, and fails when ctx ends: bound ctx to tolerate a Redis that
// starts late.
func Open(ctx context.Context, url string, opts Options) (*Broker, error) {
	target, err := parseURL(url)
	if _, unparsable := errors.AsType[*neturl.Error](err); unparsable {
		return nil, errors.New("redis url: not a valid URL (not shown: it may hold a password)")
	}
	if err != nil {
		return nil, fmt.Errorf("redis url: %w", err)
	}
	b := newBroker(target, opts)
	head, err := b.waitCounter(ctx)
	if err != nil {
		b.rdb.Close()
		b.feed.Close()
		return nil, err
	}
	if err := b.prime(ctx, head); err != nil {
		b.rdb.Close()
		b.feed.Close()
		return nil, err
	}
	b.startReader()
	return b, nil
}

// startReader runs the reader from the event after the broker's position.
func (b *Broker) startReader() {
	b.floor = max(b.floor, b.pos)
	b.life, b.stop = context.WithCancel(context.Background())
	go b.read(b.life)
}

func newBroker(target target, opts Options) *Broker {
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
		rdb:        target.client(0, nil),
		keys:       newKeys(opts.Prefix),
		history:    opts.History,
		hubOpts:    fanout.Options{History: opts.History, Lag: opts.Queue, MaxReplay: opts.MaxReplay},
		maxSymbols: opts.MaxSymbols,
		now:        opts.Now,
		log:        opts.Logger,
		onRollback: opts.OnRollback,
		malformed:  opts.Malformed,
		readerDone: make(chan struct{}),
	}
	b.feed = target.client(1, b.feedConn.dialer(target.dialTimeout, target.tls))
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

// saw raises the floor to seq, the id of an event this instance
// published or delivered.
func (b *Broker) saw(seq uint64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.floor = max(b.floor, seq)
}

// floorSeen returns the highest id this instance has seen.
func (b *Broker) floorSeen() uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.floor
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

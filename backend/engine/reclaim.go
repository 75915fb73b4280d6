package engine

import (
	"log/slog"
	"runtime/debug"
	"sync/atomic"
	"time"
)

// After a burst of streams opening or closing (a fleet reconnecting after a
// deploy), the heap holds the garbage of every connection's net/http state
// until the next collection, and the runtime returns freed memory to the
// OS only slowly: the server's resident memory stays at the burst's peak.
// A reclaimer frees it once the burst is over.
const (
	// burstChurn is how many streams must open or close for a burst.
	burstChurn = 1000
	// settled is how long no stream may open or close before the burst is
	// over.
	settled = time.Second
)

// reclaimer decides when a burst is over; the engine's lock guards it.
type reclaimer struct {
	churn      int       // streams opened or closed since the last reclaim
	seen       int       // churn at the last tick
	lastChange time.Time // when churn last moved
	freeing    atomic.Bool
}

// tick reports whether to free memory now: churn reached a burst and has
// not moved for settled.
func (r *reclaimer) tick(now time.Time) bool {
	if r.churn != r.seen {
		r.seen, r.lastChange = r.churn, now
		return false
	}
	if r.churn < burstChurn || now.Sub(r.lastChange) < settled {
		return false
	}
	r.churn, r.seen = 0, 0
	return true
}

// free returns a burst's garbage to the OS: one full collection, then
// every free page released.
func (r *reclaimer) free(log *slog.Logger) {
	defer r.freeing.Store(false)
	start := time.Now()
	debug.FreeOSMemory()
	log.Debug("engine: returned memory to the OS after a burst of streams", "took", time.Since(start))
}

// Package hist is a lock-free latency histogram with about 3 % relative
// precision, safe for concurrent recording from many goroutines.
package hist

import (
	"math/bits"
	"sync/atomic"
	"time"
)

const (
	subBits = 5 // 32 sub-buckets per power of two
	sub     = 1 << subBits
	buckets = (64-subBits)*sub + sub
	shards  = 16
)

// Histogram records durations in microseconds.
type Histogram struct {
	shards [shards]shard
	max    atomic.Int64
}

type shard struct {
	counts [buckets]atomic.Uint64
	_      [64]byte // keep shards on separate cache lines
}

// index maps a value to its bucket.
func index(v uint64) int {
	if v < sub {
		return int(v)
	}
	exp := bits.Len64(v) - subBits - 1
	return (exp+1)*sub + int(v>>uint(exp)) - sub
}

// lower returns the smallest value of bucket i.
func lower(i int) uint64 {
	if i < sub {
		return uint64(i)
	}
	exp := i/sub - 1
	return uint64(i%sub+sub) << uint(exp)
}

// Record adds one observation; hint spreads concurrent writers over shards.
func (h *Histogram) Record(d time.Duration, hint int) {
	us := d.Microseconds()
	if us < 0 {
		us = 0
	}
	h.shards[hint%shards].counts[index(uint64(us))].Add(1)
	for {
		m := h.max.Load()
		if us <= m || h.max.CompareAndSwap(m, us) {
			return
		}
	}
}

// Count returns the number of observations.
func (h *Histogram) Count() uint64 {
	var n uint64
	for i := range h.shards {
		for j := range h.shards[i].counts {
			n += h.shards[i].counts[j].Load()
		}
	}
	return n
}

// Max returns the largest observation.
func (h *Histogram) Max() time.Duration { return time.Duration(h.max.Load()) * time.Microsecond }

// Quantile returns the value below which the fraction q of observations
// fall, as the midpoint of its bucket (0 if there are none).
func (h *Histogram) Quantile(q float64) time.Duration {
	var merged [buckets]uint64
	var total uint64
	for i := range h.shards {
		for j := range merged {
			c := h.shards[i].counts[j].Load()
			merged[j] += c
			total += c
		}
	}
	if total == 0 {
		return 0
	}
	rank := uint64(q*float64(total-1)) + 1
	var seen uint64
	for i, c := range merged {
		seen += c
		if seen >= rank {
			lo, hi := lower(i), lower(i+1)
			mid := (lo + hi) / 2
			if m := uint64(h.max.Load()); mid > m {
				mid = m
			}
			return time.Duration(mid) * time.Microsecond
		}
	}
	return h.Max()
}

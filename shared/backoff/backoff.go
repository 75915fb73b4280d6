// Package backoff computes reconnect delays: exponential growth capped at a
// maximum, with jitter so that clients cut off together do not come back
// together.
package backoff

import (
	"context"
	"math/rand/v2"
	"time"
)

// Policy is an exponential backoff with "equal jitter": the delay of attempt
// n lies in [d/2, d] where d = min(Max, Base·2ⁿ).
type Policy struct {
	Base time.Duration
	Max  time.Duration
	// Rand returns a number in [0, 1); math/rand/v2's Float64 if nil.
	Rand func() float64
}

// Default is the policy the dashboard reconnects with.
var Default = Policy{Base: 500 * time.Millisecond, Max: 15 * time.Second}

// Delay returns how long to wait before reconnect attempt n (0 for the
// first attempt after a failure).
func (p Policy) Delay(n int) time.Duration {
	d := p.ceiling(n)
	r := p.Rand
	if r == nil {
		r = rand.Float64
	}
	half := d / 2
	return half + time.Duration(r()*float64(d-half))
}

// ceiling returns min(Max, Base·2ⁿ) without overflowing.
func (p Policy) ceiling(n int) time.Duration {
	d := p.Base
	for i := 0; i < n && d < p.Max; i++ {
		d *= 2
	}
	return min(d, p.Max)
}

// Sleep waits for d, or until ctx ends; it reports whether d elapsed.
func Sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

package backoff_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stockstream/stockstream/shared/backoff"
)

func TestDelayGrowsAndIsCapped(t *testing.T) {
	lo := backoff.Policy{Base: time.Second, Max: 8 * time.Second, Rand: func() float64 { return 0 }}
	hi := lo
	hi.Rand = func() float64 { return 0.999999 }
	for n, want := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second} {
		if got := lo.Delay(n); got != want/2 {
			t.Errorf("min delay(%d) = %v, want %v", n, got, want/2)
		}
		if got := hi.Delay(n); got > want || got < want*99/100 {
			t.Errorf("max delay(%d) = %v, want about %v", n, got, want)
		}
	}
	if got := lo.Delay(1000); got != 4*time.Second {
		t.Errorf("huge attempt: %v", got)
	}
}

func TestDelayJitters(t *testing.T) {
	seen := map[time.Duration]bool{}
	for range 50 {
		d := backoff.Default.Delay(3)
		if d < 2*time.Second || d > 4*time.Second {
			t.Fatalf("delay %v outside [2s, 4s]", d)
		}
		seen[d] = true
	}
	if len(seen) < 10 {
		t.Errorf("only %d distinct delays in 50: no jitter", len(seen))
	}
}

func TestSleepWaitsOrEndsWithTheContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		if !backoff.Sleep(t.Context(), 3*time.Second) || time.Since(start) != 3*time.Second {
			t.Fatalf("slept %v", time.Since(start))
		}
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		start = time.Now()
		if backoff.Sleep(ctx, time.Hour) || time.Since(start) != time.Second {
			t.Fatalf("a context that ended after 1s let Sleep run %v", time.Since(start))
		}
		if backoff.Sleep(ctx, 0) {
			t.Fatal("an ended context must stop even a zero sleep")
		}
	})
}

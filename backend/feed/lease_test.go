package feed_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stockstream/stockstream/backend/feed"
)

const threeMinutes = "symbol,date,price\nAAPL,2024-01-02T10:00:00Z,1\nAAPL,2024-01-02T10:01:00Z,2\nAAPL,2024-01-02T10:02:00Z,3\nAAPL,2024-01-02T10:03:00Z,4\n"

// published returns the prices rec was given, in order.
func published(rec *batchRecorder) []string {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	var out []string
	for _, b := range rec.batches {
		for _, q := range b {
			out = append(out, q.Price.String())
		}
	}
	return out
}

// TestRunWhileHeldWaitsForTheLease: nothing is published before the lease
// is held; a replay that is done keeps its lease until ctx ends.
func TestRunWhileHeldWaitsForTheLease(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &batchRecorder{}
		r := &feed.Replay{Speed: feed.Max, Files: load(t, source("a.csv", threeMinutes))}
		var released atomic.Bool
		hold := func(ctx context.Context, run func(context.Context)) {
			time.Sleep(5 * time.Second) // another instance holds it
			run(ctx)
			released.Store(true)
		}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() { r.RunWhileHeld(ctx, rec, hold); close(done) }()
		time.Sleep(4 * time.Second)
		synctest.Wait()
		if got := published(rec); len(got) != 0 {
			t.Fatalf("published %v before the lease was held", got)
		}
		<-done
		if got := published(rec); len(got) != 4 {
			t.Fatalf("published %v, want the file's 4 prices", got)
		}
		time.Sleep(time.Hour)
		synctest.Wait()
		if released.Load() {
			t.Fatal("a replay that is done released its lease: another instance would replay the files again")
		}
		cancel()
		synctest.Wait()
		if !released.Load() {
			t.Fatal("the lease is still held after ctx ended")
		}
	})
}

// TestRunWhileHeldPausesWhileTheLeaseIsLost: a lease lost in the middle
// stops the publishing until it is held again; the replay then goes on
// where it was, every price once and in order.
func TestRunWhileHeldPausesWhileTheLeaseIsLost(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &batchRecorder{}
		r := &feed.Replay{Speed: 60, Files: load(t, source("a.csv", threeMinutes))}
		var duringLoss []string
		hold := func(ctx context.Context, run func(context.Context)) {
			lost, lose := context.WithTimeout(ctx, 1500*time.Millisecond) // prices 1 and 2 go out
			run(lost)
			lose()
			before := len(published(rec))
			time.Sleep(10 * time.Second)
			duringLoss = published(rec)[before:]
			run(ctx)
		}
		r.RunWhileHeld(t.Context(), rec, hold)
		if len(duringLoss) != 0 {
			t.Errorf("published %v while the lease was lost", duringLoss)
		}
		if got := published(rec); len(got) != 4 || got[0] != "1" || got[1] != "2" || got[2] != "3" || got[3] != "4" {
			t.Fatalf("published %v, want 1 2 3 4 once each", got)
		}
	})
}

// TestRunWhileHeldReleasesTheLeaseOfAFailedReplay: a batch the publisher
// refuses for good ends the replay and gives the lease up at once.
func TestRunWhileHeldReleasesTheLeaseOfAFailedReplay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &batchRecorder{refuse: errors.New("too many symbols")}
		r := &feed.Replay{Speed: feed.Max, Files: load(t, source("a.csv", threeMinutes))}
		released := make(chan struct{})
		hold := func(ctx context.Context, run func(context.Context)) {
			run(ctx)
			close(released)
		}
		r.RunWhileHeld(t.Context(), rec, hold)
		synctest.Wait()
		select {
		case <-released:
		default:
			t.Fatal("a failed replay kept its lease")
		}
	})
}

// TestRunWhileHeldEndsWithCtxBeforeTheLease: a replay whose lease is never
// held returns when ctx ends, having published nothing.
func TestRunWhileHeldEndsWithCtxBeforeTheLease(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &batchRecorder{}
		r := &feed.Replay{Speed: feed.Max, Files: load(t, source("a.csv", threeMinutes))}
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		r.RunWhileHeld(ctx, rec, func(ctx context.Context, _ func(context.Context)) { <-ctx.Done() })
		if got := published(rec); len(got) != 0 {
			t.Fatalf("published %v without the lease", got)
		}
	})
}

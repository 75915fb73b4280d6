package wheel_test

import (
	"slices"
	"testing"
	"time"

	"github.com/stockstream/stockstream/backend/stream/wheel"
)

// fired records the values a wheel fires, in order.
type fired struct{ got []int }

func (f *fired) fire(v int) { f.got = append(f.got, v) }

func (f *fired) take() []int {
	got := f.got
	f.got = nil
	return got
}

func newWheel(slots int) (*wheel.Wheel[int], *fired, time.Time) {
	f := &fired{}
	w := wheel.New(10*time.Millisecond, slots, f.fire)
	// The wheel counts ticks from New: a time a little after it is the
	// origin the tests schedule from.
	return w, f, time.Now()
}

func TestFiresAtFirstTickAtOrAfterItsTimeNeverEarly(t *testing.T) {
	w, f, t0 := newWheel(64)
	tm := &wheel.Timer[int]{Value: 1}
	w.Schedule(tm, t0.Add(95*time.Millisecond))
	w.Advance(t0.Add(90 * time.Millisecond))
	if got := f.take(); len(got) != 0 {
		t.Fatalf("fired %v before its time", got)
	}
	w.Advance(t0.Add(120 * time.Millisecond))
	if got := f.take(); !slices.Equal(got, []int{1}) {
		t.Fatalf("fired %v one tick after its time, want [1]", got)
	}
	if w.Len() != 0 {
		t.Fatalf("%d timers left after firing", w.Len())
	}
}

func TestStopAndReschedule(t *testing.T) {
	w, f, t0 := newWheel(64)
	a, b, c := &wheel.Timer[int]{Value: 1}, &wheel.Timer[int]{Value: 2}, &wheel.Timer[int]{Value: 3}
	w.Schedule(a, t0.Add(50*time.Millisecond))
	w.Schedule(b, t0.Add(50*time.Millisecond))
	w.Schedule(c, t0.Add(50*time.Millisecond))
	if !w.Stop(a) || w.Stop(a) {
		t.Fatal("Stop of a scheduled timer, then of a stopped one: want true, false")
	}
	w.Schedule(b, t0.Add(200*time.Millisecond)) // later
	w.Schedule(c, t0.Add(20*time.Millisecond))  // earlier
	w.Advance(t0.Add(100 * time.Millisecond))
	if got := f.take(); !slices.Equal(got, []int{3}) {
		t.Fatalf("at 100ms fired %v, want [3]", got)
	}
	if at, ok := w.When(b); !ok || at.Before(t0.Add(200*time.Millisecond)) {
		t.Fatalf("rescheduled timer fires at %v (%v), want ≥ 200ms", at.Sub(t0), ok)
	}
	w.Advance(t0.Add(300 * time.Millisecond))
	if got := f.take(); !slices.Equal(got, []int{2}) {
		t.Fatalf("at 300ms fired %v, want [2]", got)
	}
}

func TestTimerBeyondOneTurnWaitsItsTurns(t *testing.T) {
	w, f, t0 := newWheel(8) // one turn is 80ms
	tm := &wheel.Timer[int]{Value: 7}
	w.Schedule(tm, t0.Add(250*time.Millisecond))
	for at := 10 * time.Millisecond; at < 250*time.Millisecond; at += 10 * time.Millisecond {
		w.Advance(t0.Add(at))
		if got := f.take(); len(got) != 0 {
			t.Fatalf("fired %v at %v, due at 250ms", got, at)
		}
	}
	w.Advance(t0.Add(270 * time.Millisecond))
	if got := f.take(); !slices.Equal(got, []int{7}) {
		t.Fatalf("fired %v, want [7]", got)
	}
}

func TestLongPauseFiresEverythingDueOnce(t *testing.T) {
	w, f, t0 := newWheel(8)
	timers := make([]*wheel.Timer[int], 20)
	for i := range timers {
		timers[i] = &wheel.Timer[int]{Value: i}
		w.Schedule(timers[i], t0.Add(time.Duration(i)*30*time.Millisecond))
	}
	w.Advance(t0.Add(time.Second)) // many turns at once: every timer is due
	got := f.take()
	slices.Sort(got)
	if len(got) != 20 || got[0] != 0 || got[19] != 19 {
		t.Fatalf("after a long pause fired %v, want 0…19 once each", got)
	}
}

func TestPastTimeFiresAtNextTick(t *testing.T) {
	w, f, t0 := newWheel(8)
	w.Advance(t0.Add(100 * time.Millisecond))
	w.Schedule(&wheel.Timer[int]{Value: 5}, t0) // already past
	w.Advance(t0.Add(115 * time.Millisecond))
	if got := f.take(); !slices.Equal(got, []int{5}) {
		t.Fatalf("a timer scheduled in the past fired %v at the next tick, want [5]", got)
	}
}

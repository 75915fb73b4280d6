package stream

import (
	"testing"
	"time"
)

func TestScheduleQueuesOnceAndRerunsWhileRunning(t *testing.T) {
	tr := &Tier{ready: newReadyList(2)}
	st := &Stream{t: tr}
	st.schedule()
	st.schedule()
	if got := tr.ready.pop(nil); len(got) != 1 || st.state.Load() != queued {
		t.Fatalf("scheduled twice: %d in the list, state %d; want 1, queued", len(got), st.state.Load())
	}
	st.state.Store(running)
	st.schedule()
	if got := tr.ready.pop(nil); len(got) != 0 || st.state.Load() != rerun {
		t.Fatalf("scheduled while running: %d in the list, state %d; want 0, rerun", len(got), st.state.Load())
	}
	select {
	case <-tr.ready.wake:
	default:
		t.Fatal("no writer was woken for the first ready stream")
	}
}

func TestScheduleWakesAStreamOnItsOwnGoroutine(t *testing.T) {
	tr := &Tier{ready: newReadyList(2)}
	st := &Stream{t: tr, wake: make(chan struct{}, 1)}
	st.schedule()
	st.schedule()
	if len(st.wake) != 1 || tr.ready.pop(nil) != nil {
		t.Fatal("a stream with a goroutine of its own must be woken once, not queued")
	}
}

func TestReadyListPopsInBatchesInOrderAndWakesHelp(t *testing.T) {
	l := newReadyList(4)
	sts := make([]*Stream, batch+5)
	for i := range sts {
		sts[i] = &Stream{}
		l.push(sts[i])
	}
	<-l.wake // the first push's
	first := l.pop(nil)
	if len(l.wake) != 1 {
		t.Fatal("a writer that left streams in the list did not wake another")
	}
	<-l.wake
	second := l.pop(nil)
	if len(first) != batch || len(second) != 5 || first[0] != sts[0] || second[0] != sts[batch] {
		t.Fatalf("popped %d then %d, want %d then 5, in push order", len(first), len(second), batch)
	}
	if len(l.wake) != 0 {
		t.Fatal("woke a writer for an empty list")
	}
	if rest := l.pop(nil); len(rest) != 0 {
		t.Fatalf("%d left after popping everything", len(rest))
	}
}

// TestReadyListNeverEmptyingStaysBounded pushes as fast as it pops, so the
// list is never empty: its array must not grow with every push.
func TestReadyListNeverEmptyingStaysBounded(t *testing.T) {
	l := newReadyList(1)
	st := &Stream{}
	for range 2 * batch {
		l.push(st)
	}
	for range 10000 {
		for range batch {
			l.push(st)
		}
		l.pop(nil)
	}
	if c := cap(l.q); c > 16*batch {
		t.Fatalf("the list's array grew to %d for at most %d ready streams", c, 3*batch)
	}
}

func TestTick(t *testing.T) {
	for _, c := range []struct{ hb, wt, want time.Duration }{
		{15 * time.Second, 10 * time.Second, 100 * time.Millisecond},
		{100 * time.Millisecond, time.Minute, 6250 * time.Microsecond},
		{time.Millisecond, time.Minute, time.Millisecond},
	} {
		if got := Tick(c.hb, c.wt); got != c.want {
			t.Errorf("Tick(%v, %v) = %v, want %v", c.hb, c.wt, got, c.want)
		}
	}
}

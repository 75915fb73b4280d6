package loadgen

import (
	"sync/atomic"
	"testing"
)

func TestStaleFinals(t *testing.T) {
	r := &receiver{finals: make([]atomic.Uint64, 4)}
	// Published 1…10: the last of each symbol (seq % 4) are 8, 9, 10 and 7.
	for _, seq := range []uint64{3, 7, 8, 9, 10} {
		r.finals[seq%4].Store(seq)
	}
	if n := r.staleFinals(10); n != 0 {
		t.Fatalf("%d stale symbols, want none", n)
	}
	r.finals[2].Store(6)
	if n := r.staleFinals(10); n != 1 {
		t.Fatalf("%d stale symbols after symbol 2 stopped at 6 (published 10), want 1", n)
	}
	empty := &receiver{finals: make([]atomic.Uint64, 4)}
	if n := empty.staleFinals(2); n != 2 {
		t.Fatalf("nothing received of 1 and 2: %d stale, want 2 (symbols 3 and 0 were not published)", n)
	}
}

func TestConflatedIDsMustIncrease(t *testing.T) {
	var r receiver
	for i, c := range []struct {
		id string
		ok bool
	}{{"17", true}, {"18", true}, {"18", false}, {"9", false}, {"x", false}, {"", false}, {"30", true}} {
		if got := r.idIncreases([]byte(c.id)); got != c.ok {
			t.Fatalf("step %d: id %q increases = %v, want %v", i, c.id, got, c.ok)
		}
	}
}

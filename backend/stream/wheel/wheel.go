// Package wheel is a hashed timer wheel: one goroutine ticks for any number
// of timers, and scheduling, moving or stopping a timer is O(1) with no
// allocation. A timer fires at the first tick at or after its time, so it is
// late by less than one tick (plus the ticker's own delay), never early.
package wheel

import (
	"sync"
	"time"
)

// Timer is one entry of a Wheel, embedded in (or pointed to by) its owner;
// Value is what the wheel's fire function receives.
type Timer[T any] struct {
	Value      T
	next, prev *Timer[T] // nil while not scheduled
	when       int64     // the tick it fires at
}

// Wheel fires timers with a resolution of one tick.
type Wheel[T any] struct {
	tick  time.Duration
	start time.Time
	fire  func(T)

	mu    sync.Mutex
	now   int64      // the last tick processed
	slots []Timer[T] // sentinels of circular lists, by tick modulo len
	n     int
	due   []T // scratch of Advance
}

// New returns a wheel of the given tick and number of slots whose timers
// call fire with their Value, outside the wheel's lock. A timer further
// away than slots ticks waits in its slot for more than one turn.
func New[T any](tick time.Duration, slots int, fire func(T)) *Wheel[T] {
	w := &Wheel[T]{tick: tick, start: time.Now(), fire: fire, slots: make([]Timer[T], max(slots, 1))}
	for i := range w.slots {
		s := &w.slots[i]
		s.next, s.prev = s, s
	}
	return w
}

// Tick returns the wheel's resolution.
func (w *Wheel[T]) Tick() time.Duration { return w.tick }

// Schedule (re)schedules t to fire at the first tick at or after at.
func (w *Wheel[T]) Schedule(t *Timer[T], at time.Time) {
	when := int64((at.Sub(w.start) + w.tick - 1) / w.tick)
	w.mu.Lock()
	defer w.mu.Unlock()
	if t.next != nil {
		w.unlink(t)
	}
	t.when = max(when, w.now+1)
	s := &w.slots[t.when%int64(len(w.slots))]
	t.prev, t.next = s.prev, s
	s.prev.next = t
	s.prev = t
	w.n++
}

// Stop unschedules t; it reports whether t was scheduled.
func (w *Wheel[T]) Stop(t *Timer[T]) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if t.next == nil {
		return false
	}
	w.unlink(t)
	return true
}

// When returns when t fires, and whether it is scheduled.
func (w *Wheel[T]) When(t *Timer[T]) (time.Time, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if t.next == nil {
		return time.Time{}, false
	}
	return w.start.Add(time.Duration(t.when) * w.tick), true
}

// Len returns the number of scheduled timers.
func (w *Wheel[T]) Len() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.n
}

func (w *Wheel[T]) unlink(t *Timer[T]) {
	t.prev.next = t.next
	t.next.prev = t.prev
	t.next, t.prev = nil, nil
	w.n--
}

// Advance fires every timer due at now and returns how many fired; its
// owner calls it once per tick, from one goroutine at a time.
func (w *Wheel[T]) Advance(now time.Time) int {
	target := int64(now.Sub(w.start) / w.tick)
	w.mu.Lock()
	due := w.due[:0]
	if target-w.now > int64(len(w.slots)) {
		// More than a turn went by: one pass over every slot.
		for i := range w.slots {
			due = w.collect(&w.slots[i], target, due)
		}
		w.now = target
	}
	for w.now < target {
		w.now++
		due = w.collect(&w.slots[w.now%int64(len(w.slots))], w.now, due)
	}
	w.mu.Unlock()
	for _, v := range due {
		w.fire(v)
	}
	clear(due)
	w.due = due[:0]
	return len(due)
}

// collect unlinks the timers of slot s due at tick and appends their values.
func (w *Wheel[T]) collect(s *Timer[T], tick int64, due []T) []T {
	for t := s.next; t != s; {
		next := t.next
		if t.when <= tick {
			w.unlink(t)
			due = append(due, t.Value)
		}
		t = next
	}
	return due
}

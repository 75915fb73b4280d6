package fanout

import (
	"container/heap"
	"sync"
	"time"
)

// ticker ticks every conflation window of a Hub with one goroutine and one
// timer, however many window lengths are in use: the windows wait in a heap
// ordered by their next tick. The goroutine runs only while a window
// exists.
type ticker struct {
	mu      sync.Mutex
	queue   windowHeap
	wake    chan struct{} // the heap changed at its top
	running bool
	done    chan struct{} // closed by stop
}

func newTicker() *ticker {
	return &ticker{wake: make(chan struct{}, 1), done: make(chan struct{})}
}

// add schedules w's first tick one period from now.
func (t *ticker) add(w *window) {
	t.mu.Lock()
	defer t.mu.Unlock()
	w.due = time.Now().Add(w.period)
	heap.Push(&t.queue, w)
	if !t.running {
		t.running = true
		go t.run()
		return
	}
	t.poke()
}

// remove unschedules w.
func (t *ticker) remove(w *window) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if w.index >= 0 {
		heap.Remove(&t.queue, w.index)
	}
	if len(t.queue) == 0 {
		t.poke() // to end the goroutine
	}
}

// poke wakes the goroutine to look at the heap again.
func (t *ticker) poke() {
	select {
	case t.wake <- struct{}{}:
	default:
	}
}

// stop ends the goroutine.
func (t *ticker) stop() {
	t.mu.Lock()
	defer t.mu.Unlock()
	select {
	case <-t.done:
	default:
		close(t.done)
	}
}

// run releases the windows that are due, then sleeps until the next one,
// until no window is left or the ticker stops.
func (t *ticker) run() {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		due, ok := t.release(time.Now())
		if !ok {
			return
		}
		timer.Reset(time.Until(due))
		select {
		case <-timer.C:
		case <-t.wake:
		case <-t.done:
			return
		}
	}
}

// release ticks the windows due at now and returns when the next is due;
// ok is false, and the goroutine is to end, when none is left.
func (t *ticker) release(now time.Time) (next time.Time, ok bool) {
	t.mu.Lock()
	var due []*window
	for len(t.queue) > 0 && !t.queue[0].due.After(now) {
		w := t.queue[0]
		due = append(due, w)
		// The next tick keeps the window's rhythm, unless it fell
		// behind by more than a period.
		if w.due = w.due.Add(w.period); !w.due.After(now) {
			w.due = now.Add(w.period)
		}
		heap.Fix(&t.queue, 0)
	}
	if len(t.queue) == 0 {
		t.running = false
		t.mu.Unlock()
		for _, w := range due {
			w.release()
		}
		return time.Time{}, false
	}
	next = t.queue[0].due
	t.mu.Unlock()
	for _, w := range due {
		w.release()
	}
	return next, true
}

// windowHeap orders windows by their next tick.
type windowHeap []*window

func (q windowHeap) Len() int           { return len(q) }
func (q windowHeap) Less(i, j int) bool { return q[i].due.Before(q[j].due) }
func (q windowHeap) Swap(i, j int) {
	q[i], q[j] = q[j], q[i]
	q[i].index, q[j].index = i, j
}
func (q *windowHeap) Push(x any) {
	w := x.(*window)
	w.index = len(*q)
	*q = append(*q, w)
}
func (q *windowHeap) Pop() any {
	old := *q
	w := old[len(old)-1]
	old[len(old)-1] = nil
	w.index = -1
	*q = old[:len(old)-1]
	return w
}

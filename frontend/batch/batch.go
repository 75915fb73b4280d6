// Package batch collects items that arrive one by one (stream events) so the
// UI can take them all at once, once per frame, instead of scheduling one
// render per item.
package batch

import "sync"

// Queue is a bounded, concurrency-safe FIFO that is drained in one go. When
// it is full the oldest item is dropped: for prices the newest matter most,
// and Dropped tells the owner that it missed some.
type Queue[T any] struct {
	mu      sync.Mutex
	items   []T
	limit   int
	dropped int
}

// NewQueue returns a Queue holding at most limit items.
func NewQueue[T any](limit int) *Queue[T] {
	return &Queue[T]{limit: max(limit, 1)}
}

// Push appends items, dropping the oldest beyond the limit.
func (q *Queue[T]) Push(items ...T) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.items = append(q.items, items...)
	if over := len(q.items) - q.limit; over > 0 {
		q.dropped += over
		q.items = append(q.items[:0], q.items[over:]...)
	}
}

// Drain returns every queued item in order and the number dropped since the
// last Drain, and empties the queue.
func (q *Queue[T]) Drain() (items []T, dropped int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	items, dropped = q.items, q.dropped
	q.items, q.dropped = nil, 0
	return items, dropped
}

// Len returns the number of queued items.
func (q *Queue[T]) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.items)
}

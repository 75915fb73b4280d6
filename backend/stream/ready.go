package stream

import "sync"

// readyList is the queue of streams that have something to do, shared by
// the writers: a writer takes a few at a time, so that every writer (and a
// shutdown) gets its share of a long list, and wakes another while some are
// left.
type readyList struct {
	mu   sync.Mutex
	q    []*Stream // q[head:] are ready
	head int
	wake chan struct{} // a token per writer to wake, at most one per writer
}

// batch is how many ready streams a writer takes at once.
const batch = 32

func newReadyList(writers int) readyList {
	return readyList{wake: make(chan struct{}, writers)}
}

// push appends a stream that was made ready and wakes a writer if the list
// was empty.
func (l *readyList) push(st *Stream) {
	l.mu.Lock()
	l.q = append(l.q, st)
	first := len(l.q)-l.head == 1
	l.mu.Unlock()
	if first {
		l.signal()
	}
}

// pop moves up to batch ready streams to dst and returns it; it wakes
// another writer if streams are left.
func (l *readyList) pop(dst []*Stream) []*Stream {
	l.mu.Lock()
	n := min(batch, len(l.q)-l.head)
	dst = append(dst, l.q[l.head:l.head+n]...)
	clear(l.q[l.head : l.head+n])
	l.head += n
	left := len(l.q) - l.head
	switch {
	case left == 0:
		l.q, l.head = l.q[:0], 0
	case l.head >= len(l.q)/2:
		// Keep a list that never empties from growing without bound.
		l.q = l.q[:copy(l.q, l.q[l.head:])]
		clear(l.q[len(l.q) : l.head+len(l.q)])
		l.head = 0
	}
	l.mu.Unlock()
	if left > 0 {
		l.signal()
	}
	return dst
}

// signal wakes one waiting writer, unless every writer is being woken.
func (l *readyList) signal() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

package fanout

import (
	"sync"
	"time"
)

// window is the ticker shared by every conflated subscriber of one window
// length: each tick makes those with pending events ready. A Hub runs one
// per window length in use, however many subscribers use it, and stops it
// when the last one leaves.
type window struct {
	stop chan struct{}

	mu   sync.Mutex
	subs map[*Subscriber]struct{}
}

// joinLocked adds a conflated subscriber to its window, starting the
// window's ticker if it is the first.
func (h *Hub) joinLocked(s *Subscriber) {
	w := h.windows[s.window]
	if w == nil {
		w = &window{stop: make(chan struct{}), subs: make(map[*Subscriber]struct{})}
		h.windows[s.window] = w
		go w.run(s.window)
	}
	w.mu.Lock()
	w.subs[s] = struct{}{}
	w.mu.Unlock()
}

// leaveLocked removes a conflated subscriber from its window, stopping the
// window's ticker if it was the last.
func (h *Hub) leaveLocked(s *Subscriber) {
	w := h.windows[s.window]
	w.mu.Lock()
	delete(w.subs, s)
	empty := len(w.subs) == 0
	w.mu.Unlock()
	if empty {
		close(w.stop)
		delete(h.windows, s.window)
	}
}

// run ticks every period until the window is stopped.
func (w *window) run(period time.Duration) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-w.stop:
			return
		case <-t.C:
			w.release()
		}
	}
}

// release makes every subscriber with pending events ready.
func (w *window) release() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for s := range w.subs {
		s.release()
	}
}

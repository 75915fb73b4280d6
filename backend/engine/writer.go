package engine

import (
	"errors"

	"github.com/stockstream/stockstream/backend"
)

// errWouldBlock says the socket took less than it was given.
var errWouldBlock = errors.New("socket full")

// writer is the scratch space of one writer goroutine.
type writer struct {
	batch     []*backend.Event
	bufs      [][]byte
	delivered int
	vec       vectors
}

// write runs ready streams until the engine stops.
func (e *Engine) write() {
	w := &writer{}
	var ready []*stream
	for {
		ready = e.ready.pop(ready[:0])
		if len(ready) == 0 {
			select {
			case <-e.ready.wake:
				continue
			case <-e.stop:
				return
			}
		}
		e.runAll(w, ready)
	}
}

// runAll runs ready streams and reports the events they took.
func (e *Engine) runAll(w *writer, ready []*stream) {
	for _, st := range ready {
		e.run(w, st)
	}
	clear(ready)
	if w.delivered > 0 && e.cfg.Delivered != nil {
		e.cfg.Delivered(w.delivered)
	}
	w.delivered = 0
}

// run services a stream taken from the ready list. A stream made ready
// while it ran goes back to the end of the list, so that one busy stream
// does not hold its writer.
func (e *Engine) run(w *writer, st *stream) {
	st.state.Store(running)
	e.service(w, st)
	if st.finished || st.state.CompareAndSwap(running, idle) {
		return
	}
	st.state.Store(queued)
	e.ready.push(st)
}

// service does what the stream's signals and state call for: end it,
// write its pending bytes and events, or a heartbeat after silence.
func (e *Engine) service(w *writer, st *stream) {
	sigs := st.flags.Swap(0)
	switch {
	case sigs&sigHangup != 0:
		e.finish(st, ErrClientGone)
		return
	case sigs&sigShutdown != 0:
		e.flushPending(w, st)
		e.finish(st, ErrShutdown)
		return
	case sigs&sigEnded != 0:
		e.flushPending(w, st)
		e.finish(st, st.sub.Err())
		return
	}
	if sigs&sigTimer != 0 {
		st.timerAt = 0
	}
	now := e.now()
	if sigs&sigWritable != 0 {
		e.block(st, false)
	}
	if st.blocked {
		if now-st.stalled >= int64(e.cfg.WriteTimeout) {
			e.finish(st, ErrWriteTimeout)
			return
		}
		e.arm(st, st.stalled+int64(e.cfg.WriteTimeout))
		return
	}
	if err := e.send(w, st, now); err != nil {
		e.finish(st, err)
		return
	}
	if st.blocked {
		e.arm(st, st.stalled+int64(e.cfg.WriteTimeout))
	} else {
		e.arm(st, st.lastWrite+int64(e.cfg.Heartbeat))
	}
}

// send writes the stream's pending bytes and new events in one writev, or
// a heartbeat if the stream has been silent for the heartbeat interval.
// What the socket does not take stays pending, and the stream waits for
// writability.
func (e *Engine) send(w *writer, st *stream, now int64) error {
	bufs := append(w.bufs[:0], st.out...)
	w.batch = st.sub.Next(w.batch[:0])
	for _, ev := range w.batch {
		bufs = append(bufs, ev.Frame)
	}
	w.delivered += len(w.batch)
	clear(w.batch)
	if len(bufs) == 0 && now-st.lastWrite >= int64(e.cfg.Heartbeat) {
		bufs = append(bufs, e.cfg.HeartbeatFrame)
	}
	w.bufs = bufs
	defer clear(bufs)
	if len(bufs) == 0 {
		return nil
	}
	n, err := w.vec.writev(st.raw, bufs)
	st.written += int64(n)
	if err != nil && err != errWouldBlock {
		return err
	}
	if n > 0 || !st.blocked {
		st.stalled = now
	}
	st.keep(bufs, n)
	if err == nil {
		st.lastWrite = now
		return nil
	}
	e.block(st, true)
	return e.poller.WantWritable(st.tok)
}

// flushPending writes what it can of a stream's pending bytes (such as an
// opening not yet written) before the stream ends, without waiting: the
// client then resumes from the last event it received.
func (e *Engine) flushPending(w *writer, st *stream) {
	if len(st.out) > 0 {
		n, _ := w.vec.writev(st.raw, st.out)
		st.written += int64(n)
	}
}

// keep stores what is left of bufs after n bytes were written as the
// stream's pending bytes. An idle stream keeps no buffer of its last write.
func (st *stream) keep(bufs [][]byte, n int) {
	for len(bufs) > 0 && n >= len(bufs[0]) {
		n -= len(bufs[0])
		bufs = bufs[1:]
	}
	clear(st.out)
	if len(bufs) == 0 {
		if cap(st.out) > 8 {
			st.out = nil
		} else {
			st.out = st.out[:0]
		}
		return
	}
	st.out = append(st.out[:0], bufs...)
	st.out[0] = st.out[0][n:]
}

// block records whether the stream waits for its socket to drain.
func (e *Engine) block(st *stream, blocked bool) {
	if st.blocked == blocked {
		return
	}
	st.blocked = blocked
	if blocked {
		e.blocked.Add(1)
	} else {
		e.blocked.Add(-1)
	}
}

// arm makes sure the stream's timer fires at or before at.
func (e *Engine) arm(st *stream, at int64) {
	if st.timerAt != 0 && st.timerAt <= at {
		return
	}
	st.timerAt = at
	e.wheel.Schedule(&st.timer, e.at(at))
}

// finish ends a stream: it stops watching it, closes its connection and
// tells its owner why.
func (e *Engine) finish(st *stream, err error) {
	st.finished = true
	e.block(st, false)
	e.wheel.Stop(&st.timer)
	e.poller.Remove(st.tok)
	st.conn.Close()
	clear(st.out)
	st.out = nil
	e.remove(st)
	st.done(st.written, err)
}

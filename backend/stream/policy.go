package stream

import (
	"errors"
	"time"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/shared/sse"
)

// scratch is the reusable memory of one runner.
type scratch struct {
	batch []*backend.Event
	bufs  [][]byte
}

// write runs ready streams on a writer until the tier stops.
func (t *Tier) write() {
	w := &scratch{}
	var ready []*Stream
	for {
		ready = t.ready.pop(ready[:0])
		if len(ready) == 0 {
			select {
			case <-t.ready.wake:
				continue
			case <-t.stop:
				return
			}
		}
		for _, st := range ready {
			t.run(w, st, true)
		}
		clear(ready)
	}
}

// drain runs ready streams until none is left.
func (t *Tier) drain(w *scratch) {
	var ready []*Stream
	for {
		if ready = t.ready.pop(ready[:0]); len(ready) == 0 {
			return
		}
		for _, st := range ready {
			t.run(w, st, true)
		}
		clear(ready)
	}
}

// run services a stream a writer took (taken: from the ready list). A
// stream made ready while it ran goes back to the end of the list, so that
// one busy stream does not hold its writer.
func (t *Tier) run(w *scratch, st *Stream, taken bool) {
	if taken {
		st.state.Store(running)
	}
	t.service(w, st)
	if st.finished || st.state.CompareAndSwap(running, idle) {
		return
	}
	st.state.Store(queued)
	t.ready.push(st)
}

// service is the policy: it takes the stream's signals and decides whether
// to end it, what to write next, and when to look at it again.
func (t *Tier) service(w *scratch, st *Stream) {
	sigs := st.flags.Swap(0)
	now := t.now()
	switch {
	case sigs&sigHangup != 0:
		t.finish(st, ClientGone)
		return
	case sigs&sigAbort != 0:
		t.finish(st, WriteTimeout)
		return
	}
	if sigs&sigWritable != 0 {
		st.blocked = false
	}
	if sigs&sigTimer != 0 {
		st.timerAt = 0
	}
	if sigs&sigEnded != 0 || st.poll {
		if reason := endOf(st.sub.Err()); reason == Slow {
			t.finish(st, Slow)
			return
		} else if reason != 0 {
			t.beginEnd(st, reason, now)
		}
	}
	switch {
	case sigs&sigShutdown != 0:
		t.beginEnd(st, Shutdown, now)
	case st.expires != 0 && now >= st.expires:
		t.beginEnd(st, Expired, now)
	}
	if st.blocked {
		t.waitWritable(st, now)
		return
	}
	if st.ending != 0 && !st.partial {
		t.finish(st, st.ending)
		return
	}
	more, err := t.send(w, st, now)
	switch {
	case err != nil:
		why := Reason(st.cut.Load())
		if why == 0 {
			why = WriteFailed
		}
		t.finish(st, why)
	case st.blocked:
		t.waitWritable(st, now)
	case st.ending != 0:
		t.finish(st, st.ending) // the begun frame is written
	default:
		if more {
			st.schedule() // a chunk at a time: the rest after the others
		}
		t.armNext(st)
	}
}

// endOf maps a subscription's end to a stream's.
func endOf(err error) Reason {
	switch {
	case err == nil:
		return 0
	case errors.Is(err, backend.ErrSlowSubscriber):
		return Slow
	default:
		return BrokerClosed
	}
}

// beginEnd starts an orderly end: the frame the client holds half of is
// completed (within EndGrace), the frames not begun are dropped whole.
func (t *Tier) beginEnd(st *Stream, why Reason, now int64) {
	if st.ending != 0 {
		return
	}
	st.ending, st.endBy = why, now+int64(t.cfg.EndGrace)
	if st.partial {
		st.out = st.out[:1]
	} else {
		clear(st.out)
		st.out = st.out[:0]
	}
}

// waitWritable keeps a stream whose connection is full waiting, or cuts
// it once it has made no progress for the write timeout (or an ending
// stream's grace is over).
func (t *Tier) waitWritable(st *Stream, now int64) {
	deadline := st.stalled + int64(t.cfg.WriteTimeout)
	if st.ending != 0 {
		deadline = min(deadline, st.endBy)
	}
	if now >= deadline {
		t.finish(st, WriteTimeout)
		return
	}
	t.arm(st, deadline)
}

// send writes the stream's pending bytes, then its opening, then up to a
// chunk of events, in one write; or a heartbeat after a silent interval.
// What the connection does not take stays pending. more reports that the
// subscription may hold more events than the chunk took.
func (t *Tier) send(w *scratch, st *Stream, now int64) (more bool, err error) {
	bufs := append(w.bufs[:0], st.out...)
	delivered := 0
	var newest time.Time // accept time of the newest event taken
	// With bytes pending, the subscription is asked for more only once
	// they are written: on the next run.
	more = st.ending == 0 && len(st.out) > 0
	if st.ending == 0 && len(st.out) == 0 {
		if st.opening != nil {
			bufs = append(bufs, st.opening...)
			st.opening = nil
		}
		w.batch = st.sub.Next(w.batch[:0], t.cfg.Chunk)
		for _, ev := range w.batch {
			bufs = append(bufs, ev.Frame)
		}
		delivered = len(w.batch)
		if delivered > 0 {
			newest = w.batch[delivered-1].Accepted
		}
		more = delivered == t.cfg.Chunk
		clear(w.batch)
		if len(bufs) == 0 && now-st.lastWrite >= int64(t.cfg.Heartbeat) {
			bufs = append(bufs, sse.Heartbeat)
		}
	}
	w.bufs = bufs
	defer clear(bufs)
	if len(bufs) == 0 {
		return more, nil
	}
	n, err := t.writeConn(st, bufs, now)
	st.c.bytes.Add(float64(n))
	if delivered > 0 {
		st.c.delivered.Add(float64(delivered))
		if !newest.IsZero() {
			st.c.lag.Observe(time.Since(newest.Add(st.delay)).Seconds())
		}
	}
	st.keep(bufs, n)
	switch {
	case err == ErrWouldBlock:
		st.blocked, st.stalled = true, now
		return more, nil
	case err != nil:
		return false, err
	}
	st.lastWrite = now
	return more, nil
}

// writeConn writes bufs to the stream's connection. A write that waits for
// the client is watched by the wheel, which cuts it after the write
// timeout.
func (t *Tier) writeConn(st *Stream, bufs [][]byte, now int64) (int, error) {
	if !st.conn.Waits() {
		n, err := st.conn.Write(bufs)
		st.written += int64(n)
		return n, err
	}
	st.inflight.Store(now + 1)
	t.arm(st, now+int64(t.cfg.WriteTimeout))
	n, err := st.conn.Write(bufs)
	st.inflight.Store(0)
	st.written += int64(n)
	return n, err
}

// keep stores what is left of bufs after n bytes were written as the
// stream's pending frames. An idle stream keeps no buffer of its last
// write.
func (st *Stream) keep(bufs [][]byte, n int) {
	given := len(bufs)
	for len(bufs) > 0 && n >= len(bufs[0]) {
		n -= len(bufs[0])
		bufs = bufs[1:]
	}
	clear(st.out)
	if len(bufs) == 0 {
		st.out, st.partial = st.out[:0], false
		if cap(st.out) > 8 {
			st.out = nil
		}
		return
	}
	st.out = append(st.out[:0], bufs...)
	st.out[0] = st.out[0][n:]
	st.partial = n > 0 || st.partial && len(bufs) == given
}

// armNext schedules the stream's next look: its heartbeat, its expiry, or
// the next tick for a subscription that cannot notify.
func (t *Tier) armNext(st *Stream) {
	at := st.lastWrite + int64(t.cfg.Heartbeat)
	if st.expires != 0 {
		at = min(at, st.expires)
	}
	if st.poll {
		at = min(at, t.now()+int64(t.wheel.Tick()))
	}
	t.arm(st, at)
}

// arm makes sure the stream's timer fires at or before at.
func (t *Tier) arm(st *Stream, at int64) {
	if st.timerAt != 0 && st.timerAt <= at {
		return
	}
	st.timerAt = at
	t.wheel.Schedule(&st.timer, t.at(at))
}

// finish ends a stream: it stops its timer, cuts or closes its connection,
// closes its subscription, counts it and tells its owner.
func (t *Tier) finish(st *Stream, why Reason) {
	st.finished = true
	t.wheel.Stop(&st.timer)
	if why.Cut() || why == ClientGone {
		st.conn.Abort()
	} else {
		st.conn.Close()
	}
	st.sub.Close()
	clear(st.out)
	st.out, st.opening = nil, nil
	st.c.closed.WithLabelValues(st.c.transport, why.String()).Inc()
	t.mu.Lock()
	delete(t.streams, st)
	t.mu.Unlock()
	t.live.Done()
	if st.done != nil {
		st.done(Result{Reason: why, Written: st.written, Duration: time.Duration(t.now() - st.start)})
	}
}

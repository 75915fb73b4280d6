package http

import (
	"net/http"
	"time"

	"github.com/stockstream/stockstream/backend"
)

// responseStream writes an SSE response through its ResponseWriter, for
// streams the engine cannot take over (HTTP/2, TLS, systems without
// epoll): a goroutine per stream, each write bounded in time.
type responseStream struct {
	w         http.ResponseWriter
	rc        *http.ResponseController
	bufs      [][]byte // scratch for one burst
	timeout   time.Duration
	lastWrite time.Time // when the last burst was written
	armedAt   time.Time // when the write deadline was last set
}

// newResponseStream writes the response head and readies the stream.
func newResponseStream(w http.ResponseWriter, timeout time.Duration) *responseStream {
	st := &responseStream{w: w, rc: http.NewResponseController(w), timeout: timeout}
	// The server's read and write timeouts would kill a long stream; a
	// writer without deadlines has none to clear.
	st.rc.SetReadDeadline(time.Time{})
	st.rc.SetWriteDeadline(time.Time{})
	w.WriteHeader(http.StatusOK)
	return st
}

// arm keeps a write deadline between timeout/2 and timeout ahead, setting
// it at most once per half timeout: a peer that stops reading is cut within
// timeout, and a busy stream does not pay for a deadline per burst.
func (st *responseStream) arm() error {
	st.lastWrite = time.Now()
	if st.lastWrite.Sub(st.armedAt) < st.timeout/2 {
		return nil
	}
	st.armedAt = st.lastWrite
	return st.rc.SetWriteDeadline(st.lastWrite.Add(st.timeout))
}

// cut expires the write deadline, ending a write blocked on a peer that
// stopped reading.
func (st *responseStream) cut() { st.rc.SetWriteDeadline(time.Now()) }

// writeEvents writes the frames of a batch with one flush.
func (st *responseStream) writeEvents(batch []*backend.Event) error {
	st.bufs = st.bufs[:0]
	for _, ev := range batch {
		st.bufs = append(st.bufs, ev.Frame)
	}
	return st.flush()
}

// write writes b with one flush.
func (st *responseStream) write(b []byte) error {
	st.bufs = append(st.bufs[:0], b)
	return st.flush()
}

// flush writes st.bufs and flushes them. It lets go of the buffers
// afterwards, so an idle stream keeps no bytes of its last write (the
// opening can be a large snapshot or replay).
func (st *responseStream) flush() error {
	defer clear(st.bufs)
	if err := st.arm(); err != nil {
		return err
	}
	for _, b := range st.bufs {
		if _, err := st.w.Write(b); err != nil {
			return err
		}
	}
	return st.rc.Flush()
}

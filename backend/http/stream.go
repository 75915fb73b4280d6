package http

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/julienschmidt/httprouter"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/access"
	"github.com/stockstream/stockstream/shared/sse"
	"github.com/stockstream/stockstream/shared/stock"
)

// maxLastEventID bounds the id a client may send; a longer one is garbage
// and gets the snapshot.
const maxLastEventID = 64

// handleStream serves GET /stocks: "retry:", the opening (exact replay or
// snapshot), then live events, with a heartbeat comment after every silent
// interval. On HTTP/1.1 over TCP the engine takes the connection over once
// the subscription is made, and the handler returns: the stream then costs
// no goroutine and none of net/http's per-connection state. Elsewhere
// (HTTP/2, TLS) the handler serves the stream through its ResponseWriter.
func (s *Server) handleStream(w http.ResponseWriter, r *http.Request, _ httprouter.Params) {
	grant, ok := s.authorizeRead(w, r)
	if !ok {
		return
	}
	req, err := s.parseStreamRequest(r, grant)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	release, lerr := s.limits.acquire(s.cfg.TrustedProxies.Client(r))
	if lerr != nil {
		s.metrics.Rejected.WithLabelValues(lerr.limit).Inc()
		if lerr.limit == "per_ip" {
			s.metrics.AuthRefusals.WithLabelValues(access.ReasonCap).Inc()
		}
		w.Header().Set("Retry-After", "5")
		writeError(w, lerr.status, lerr.msg)
		return
	}
	opening, sub, err := s.cfg.Broker.Subscribe(r.Context(), req)
	if err != nil {
		release()
		s.tellToRetry(w, r, err)
		return
	}
	subscribers := s.metrics.Subscribers.WithLabelValues(grant.Class.String())
	subscribers.Inc()
	end := func() {
		sub.Close()
		release()
		subscribers.Dec()
	}
	setStreamHeaders(w.Header())
	if canTakeOver(r) {
		s.takeOver(w, r, sub, opening, end)
		return
	}
	s.serveResponse(w, r, sub, opening, end)
}

// serveResponse serves a stream through its ResponseWriter until it ends.
func (s *Server) serveResponse(w http.ResponseWriter, r *http.Request, sub backend.Subscription, opening backend.Opening, end func()) {
	defer end()
	st := newResponseStream(w, s.cfg.WriteTimeout)
	// A dropped subscriber may be blocked in a write to a peer that stopped
	// reading: expire its deadline so it is cut now, not in WriteTimeout.
	sub.OnEnd(st.cut)
	ready := backend.ReadyChan(sub)
	if err := st.write(s.opening(opening)); err == nil {
		s.pump(st, sub, ready, r.Context().Done())
	}
	s.countDrop(sub, r.RemoteAddr)
}

// parseStreamRequest reads symbols=, conflate= and the resume id (the
// Last-Event-ID header wins over lastEventId=), and limits the filter to
// what grant allows: the grant's symbols without symbols=, a 403 for a
// symbol outside them. The request carries the grant's expiry and delay.
func (s *Server) parseStreamRequest(r *http.Request, grant access.Grant) (backend.SubscribeRequest, error) {
	q := r.URL.Query()
	req := backend.SubscribeRequest{Expires: grant.Expires, Delay: grant.Delay}
	var err error
	if req.Conflate, err = parseConflate(q); err != nil {
		return req, err
	}
	if list := strings.Join(q["symbols"], ","); strings.Trim(list, ", ") != "" {
		syms, err := stock.ParseSymbolList(list, s.cfg.MaxSymbols)
		if err != nil {
			return req, err
		}
		req.Symbols = syms
	}
	if req.Symbols, err = grant.Filter(req.Symbols); err != nil {
		return req, err
	}
	req.LastEventID = r.Header.Get("Last-Event-ID")
	if req.LastEventID == "" {
		req.LastEventID = q.Get("lastEventId")
	}
	if len(req.LastEventID) > maxLastEventID {
		req.LastEventID = "" // garbage: a snapshot, as for any unknown id
	}
	return req, nil
}

// tellToRetry answers a stream the broker cannot serve now with a 200 that
// carries only "retry:" and ends: EventSource gives up for good on a 5xx but
// reconnects after an ended 200 stream.
func (s *Server) tellToRetry(w http.ResponseWriter, r *http.Request, err error) {
	s.log.Warn("stream: broker cannot subscribe, client told to retry", "err", err, "remote", r.RemoteAddr)
	setStreamHeaders(w.Header())
	w.WriteHeader(http.StatusOK)
	b := sse.AppendRetry(nil, s.cfg.Retry.Milliseconds())
	w.Write(append(b, ": broker unavailable, retrying\n\n"...))
}

func setStreamHeaders(h http.Header) {
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Del("Content-Encoding") // never compressed
}

// opening returns "retry:" and the opening of the stream, written in one
// burst.
func (s *Server) opening(o backend.Opening) []byte {
	buf := sse.AppendRetry(make([]byte, 0, 512), s.cfg.Retry.Milliseconds())
	if o.Resumed {
		s.metrics.Opened.WithLabelValues("resume").Inc()
		for _, ev := range o.Replay {
			buf = append(buf, ev.Frame...)
		}
		s.metrics.Delivered.Add(float64(len(o.Replay)))
	} else {
		s.metrics.Opened.WithLabelValues("snapshot").Inc()
		buf = appendSnapshot(buf, o.Head, o.Snapshot)
	}
	return buf
}

// appendSnapshot appends the snapshot frame: the latest events with their
// session opens as a JSON array, with the head id so a resume from it
// misses nothing.
func appendSnapshot(b []byte, head uint64, latest []stock.Latest) []byte {
	data := make([]byte, 0, 2+len(latest)*112)
	data = append(data, '[')
	for i, l := range latest {
		if i > 0 {
			data = append(data, ',')
		}
		data = l.AppendJSON(data)
	}
	data = append(data, ']')
	return sse.AppendEvent(b, stock.FormatID(head), stock.EventSnapshot, data)
}

// pump writes live events as they come, each burst with one flush, and a
// heartbeat after every silent interval, until the client leaves, the
// subscription ends or the server shuts down. The heartbeat timer is not
// reset per burst: when it fires after a write, it is set again for the
// rest of the interval, so a busy stream touches its timer once per
// interval, not once per event.
func (s *Server) pump(st *responseStream, sub backend.Subscription, ready <-chan struct{}, gone <-chan struct{}) {
	heartbeat := time.NewTimer(s.cfg.Heartbeat)
	defer heartbeat.Stop()
	var batch []*backend.Event
	for {
		select {
		case <-ready:
			batch = sub.Next(batch[:0])
			if err := st.writeEvents(batch); err != nil {
				return
			}
			s.metrics.Delivered.Add(float64(len(batch)))
			clear(batch)
		case now := <-heartbeat.C:
			if quiet := now.Sub(st.lastWrite); quiet < s.cfg.Heartbeat {
				heartbeat.Reset(s.cfg.Heartbeat - quiet)
				continue
			}
			if err := st.write(sse.Heartbeat); err != nil {
				return
			}
			heartbeat.Reset(s.cfg.Heartbeat)
		case <-sub.Done():
			return
		case <-gone:
			return
		case <-s.shutdown:
			return
		}
	}
}

// countDrop counts and logs a stream that ended because its subscriber
// could not keep up.
func (s *Server) countDrop(sub backend.Subscription, remote string) {
	if errors.Is(sub.Err(), backend.ErrSlowSubscriber) {
		s.metrics.DroppedSlow.Inc()
		s.log.Info("stream: slow subscriber disconnected; it resumes with Last-Event-ID", "remote", remote)
	}
}

package http

import (
	"context"
	"net/http"

	"github.com/julienschmidt/httprouter"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/access"
	"github.com/stockstream/stockstream/backend/stream"
)

// streamPath is the route of the stream.
const streamPath = "/stocks"

// maxLastEventID bounds the id a client may send; a longer one is garbage
// and gets the snapshot.
const maxLastEventID = 64

// handleStream serves GET /stocks: it checks who may read what, counts the
// stream against the limits, subscribes, and hands the stream to the tier
// with the connection it runs on. On HTTP/1.1 over TCP the engine takes the
// connection over and the handler returns: the stream then costs no
// goroutine and none of net/http's per-connection state. Elsewhere (HTTP/2,
// TLS) the stream runs on the handler's goroutine through its
// ResponseWriter. The policy (what to write, when to end, a token's expiry
// included) is the tier's on both.
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
	opening, sub, err := s.readerFor(grant).Subscribe(r.Context(), req)
	if err != nil {
		release()
		s.tellToRetry(w, r, err)
		return
	}
	markStreamed(w)
	class := grant.Class
	s.metrics.Subscribers.WithLabelValues(class.String()).Inc()
	// The stream keeps what its log line needs, not the request: its
	// method and path are this route's, and the remote address is the one
	// string of the request an idle stream holds.
	remote := r.RemoteAddr
	spec := stream.Spec{Sub: sub, Opening: opening, Expires: req.Expires, Delay: req.Delay, Transport: transportOf(r)}
	spec.Done = func(res stream.Result) {
		release()
		s.metrics.Subscribers.WithLabelValues(class.String()).Dec()
		if res.Reason == stream.Slow {
			s.log.Info("stream: client fell behind and was cut; it resumes with Last-Event-ID", "remote", remote)
		}
		s.logRequest(requestLine{method: http.MethodGet, path: streamPath, remote: remote}, http.StatusOK, res.Written, res.Duration)
	}
	setStreamHeaders(w.Header())
	if canTakeOver(r) {
		s.takeOver(w, r, spec)
		return
	}
	s.serveResponse(w, r, spec)
}

// transportOf names the transport of a stream's request in metrics.
func transportOf(r *http.Request) string {
	switch {
	case r.ProtoMajor == 2:
		return "http2"
	case r.TLS != nil:
		return "http1-tls"
	default:
		return "http1"
	}
}

// serveResponse runs a stream through its ResponseWriter on the handler's
// goroutine until it ends.
func (s *Server) serveResponse(w http.ResponseWriter, r *http.Request, spec stream.Spec) {
	st, err := s.tier.Open(spec)
	if err != nil {
		spec.Sub.Close()
		spec.Done(stream.Result{Reason: stream.Shutdown})
		s.tellToRetry(w, r, err)
		return
	}
	conn := newResponseConn(w, r)
	stop := context.AfterFunc(r.Context(), st.Hangup)
	defer stop()
	s.tier.Serve(st, conn)
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
	if req.Symbols, err = parseSymbolsFilter(q, s.cfg.MaxSymbols); err != nil {
		return req, err
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

// tellToRetry answers a stream that cannot be served now with a 200 that
// carries only "retry:" and ends: EventSource gives up for good on a 5xx but
// reconnects after an ended 200 stream.
func (s *Server) tellToRetry(w http.ResponseWriter, r *http.Request, err error) {
	s.log.Warn("stream: cannot serve now, client told to retry", "err", err, "remote", r.RemoteAddr)
	setStreamHeaders(w.Header())
	w.WriteHeader(http.StatusOK)
	w.Write(stream.RetryFrame(s.cfg.Retry.Milliseconds(), "unavailable, retrying"))
}

func setStreamHeaders(h http.Header) {
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Del("Content-Encoding") // never compressed
}

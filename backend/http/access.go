package http

import (
	"context"
	"fmt"
	"net/http"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/access"
	"github.com/stockstream/stockstream/shared/stock"
)

// authorizeRead returns what r may read, from its subscriber token or as
// an anonymous caller; when it may read nothing it answers r with 401 (or
// 403) and ok is false. Every read route calls it first.
func (s *Server) authorizeRead(w http.ResponseWriter, r *http.Request) (g access.Grant, ok bool) {
	g, err := s.cfg.Access.Check(r)
	if err != nil {
		s.writeErr(w, r, err)
		return g, false
	}
	return g, true
}

// refused sets the challenge of an access refusal, counts it and logs
// it without the token.
func (s *Server) refused(w http.ResponseWriter, r *http.Request, ref *access.Refusal) {
	w.Header().Set("WWW-Authenticate", ref.Challenge())
	s.metrics.AuthRefusals.WithLabelValues(ref.Reason).Inc()
	s.log.Debug("read refused", "reason", ref.Reason, "status", ref.Status, "path", r.URL.Path, "remote", r.RemoteAddr)
}

// readerFor returns what grant reads: the delayed tier for a delayed
// grant, the broker for everyone else. A delayed grant on a server without
// the delayed tier reads nothing (never live data).
func (s *Server) readerFor(g access.Grant) backend.Reader {
	if g.Delay <= 0 {
		return s.cfg.Broker
	}
	if s.cfg.Delayed == nil {
		return noDelayedTier{}
	}
	return s.cfg.Delayed
}

// noDelayedTier refuses delayed reads on a server that has no delayed
// tier.
type noDelayedTier struct{}

var errNoDelayedTier = fmt.Errorf("%w: the delayed tier is not running", backend.ErrUnavailable)

func (noDelayedTier) Subscribe(context.Context, backend.SubscribeRequest) (backend.Opening, backend.Subscription, error) {
	return backend.Opening{}, nil, errNoDelayedTier
}
func (noDelayedTier) Snapshot(context.Context) ([]stock.Latest, error) { return nil, errNoDelayedTier }
func (noDelayedTier) Latest(context.Context, string) (stock.Latest, bool, error) {
	return stock.Latest{}, false, errNoDelayedTier
}
func (noDelayedTier) Bars(context.Context, string) ([]stock.Bar, error) { return nil, errNoDelayedTier }

package http

import (
	"net/http"

	"github.com/stockstream/stockstream/backend/access"
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

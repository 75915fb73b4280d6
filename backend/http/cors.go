package http

import (
	"net/http"
	"slices"
	"strings"
)

// cors adds CORS headers for the exact origins of Config.CORSOrigins, and
// grants them credentials (the session cookie) when there are any: only
// with subscriber access on. Other origins get no CORS headers, so browsers
// keep them out and never send them a response read with the cookie;
// same-origin requests need none.
func (s *Server) cors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if origin := r.Header.Get("Origin"); origin != "" && s.allowedOrigin(origin) && isCORSPath(r.URL.Path) {
			s.allowOrigin(w.Header(), origin)
		}
		next.ServeHTTP(w, r)
	})
}

// allowOrigin sets the headers that let origin read a response.
func (s *Server) allowOrigin(h http.Header, origin string) {
	h.Set("Access-Control-Allow-Origin", origin)
	if s.cfg.Access.Enabled() {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	h.Add("Vary", "Origin")
}

func (s *Server) allowedOrigin(origin string) bool {
	return slices.Contains(s.cfg.CORSOrigins, origin)
}

func isCORSPath(p string) bool { return p == "/stocks" || strings.HasPrefix(p, "/api/") }

// handlePreflight answers OPTIONS requests: a preflight from an allowed
// origin gets the methods and headers it may use; one from any other origin
// is refused.
func (s *Server) handlePreflight(w http.ResponseWriter, r *http.Request) {
	origin := r.Header.Get("Origin")
	if r.Header.Get("Access-Control-Request-Method") == "" || origin == "" {
		w.Header().Set("Allow", "GET, POST, DELETE, OPTIONS")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if !s.allowedOrigin(origin) || !isCORSPath(r.URL.Path) {
		writeError(w, http.StatusForbidden, "origin "+origin+" is not allowed: add it to --cors-origins")
		return
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS")
	h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, Idempotency-Key, Last-Event-ID, Cache-Control")
	h.Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
}

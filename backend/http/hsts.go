package http

import "net/http"

// hstsPolicy tells browsers to reach this host over HTTPS only, for a
// year. Subdomains are left out: they may be served by others.
const hstsPolicy = "max-age=31536000"

// hsts adds Strict-Transport-Security to every response over TLS. A plain
// HTTP response never carries it (browsers ignore it there, and it would
// pin a host that serves HTTP on purpose).
func (s *Server) hsts(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS != nil {
			w.Header().Set("Strict-Transport-Security", hstsPolicy)
		}
		next.ServeHTTP(w, r)
	})
}

package http

import (
	"errors"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/julienschmidt/httprouter"

	"github.com/stockstream/stockstream/backend/access"
)

// maxCookieToken bounds the token POST /api/session puts in a cookie:
// browsers drop cookies of more than about 4,096 bytes, name and
// attributes included.
const maxCookieToken = 4000

// maxCookieAge is the longest a browser keeps a cookie (400 days in
// current browsers); a token that lives longer gets a cookie of this age.
const maxCookieAge = 400 * 24 * time.Hour

// session is the JSON of /api/session: what the caller may read.
type session struct {
	// Symbols are the readable symbols, ["*"] for every one, [] for none.
	Symbols []string `json:"symbols"`
	// Delay is how many seconds late the caller gets each event.
	Delay float64 `json:"delay"`
	// Exp is when the caller's token expires, for a token holder.
	Exp string `json:"exp,omitempty"`
	// Error says why the token the caller sent is refused, if it is.
	Error string `json:"error,omitempty"`
}

// sessionOf returns the session JSON of a grant.
func sessionOf(g access.Grant) session {
	s := session{Symbols: g.Symbols, Delay: g.Delay.Seconds()}
	if s.Symbols == nil {
		s.Symbols = []string{access.AllSymbols}
	}
	if !g.Expires.IsZero() {
		s.Exp = g.Expires.UTC().Format(time.RFC3339)
	}
	return s
}

// handleSessionGet serves GET /api/session: always 200 with what the
// caller may read, anonymous included. A caller whose token is refused
// may read nothing, and is told why.
func (s *Server) handleSessionGet(w http.ResponseWriter, r *http.Request, _ httprouter.Params) {
	g, err := s.cfg.Access.Check(r)
	if err != nil {
		none := session{Symbols: []string{}}
		var ref *access.Refusal
		if errors.As(err, &ref) && ref.Reason != access.ReasonMissing {
			none.Error = ref.Message
		}
		writeJSON(w, http.StatusOK, none)
		return
	}
	writeJSON(w, http.StatusOK, sessionOf(g))
}

// handleSessionPost serves POST /api/session: the bearer token of the
// request, if valid, becomes the stockstream_token cookie (HttpOnly,
// SameSite=Lax, expiring with the token, Secure when the client came over
// TLS), so that the page's EventSource, which cannot send headers, reads
// with it. The answer is the session, as GET gives it.
func (s *Server) handleSessionPost(w http.ResponseWriter, r *http.Request, _ httprouter.Params) {
	if !s.cfg.Access.Enabled() {
		writeError(w, http.StatusNotFound, "sign-in is off: this server lets every caller read without a token (start it with --subscribe-key)")
		return
	}
	scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") {
		s.writeErr(w, r, &access.Refusal{Status: http.StatusUnauthorized, Reason: access.ReasonMissing,
			Message: "send the subscriber token as Authorization: Bearer <token>"})
		return
	}
	tok = strings.TrimSpace(tok)
	if len(tok) > maxCookieToken {
		writeError(w, http.StatusBadRequest, "token too long for a browser cookie: at most 4,000 bytes (send it as Authorization: Bearer instead)")
		return
	}
	g, err := s.cfg.Access.Verify(tok)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	http.SetCookie(w, s.sessionCookie(r, tok, g.Expires))
	writeJSON(w, http.StatusOK, sessionOf(g))
}

// handleSessionDelete serves DELETE /api/session: signing out expires the
// cookie. The token itself stays valid until its exp: streams open with it
// run until then, unless the page closes them.
func (s *Server) handleSessionDelete(w http.ResponseWriter, r *http.Request, _ httprouter.Params) {
	c := s.sessionCookie(r, "", time.Unix(0, 0))
	c.MaxAge = -1
	http.SetCookie(w, c)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}

// sessionCookie returns the stockstream_token cookie holding tok until
// exp.
func (s *Server) sessionCookie(r *http.Request, tok string, exp time.Time) *http.Cookie {
	c := &http.Cookie{
		Name: access.CookieName, Value: tok, Path: "/",
		HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: s.cfg.TrustedProxies.Secure(r),
	}
	if tok != "" {
		age := min(time.Until(exp), maxCookieAge)
		c.MaxAge = max(1, int(math.Ceil(age.Seconds())))
		c.Expires = exp.UTC()
		if age == maxCookieAge {
			c.Expires = time.Now().Add(age).UTC()
		}
	} else {
		c.Expires = exp
	}
	return c
}

package access

import (
	"net/http"
	"strings"
)

// Where a request carries its token.
const (
	// QueryParam is the query parameter of a token, for clients that
	// cannot set headers on a page of another site.
	QueryParam = "access_token"
	// CookieName is the session cookie POST /api/session sets.
	CookieName = "stockstream_token"
)

// TokenFrom returns the token r carries and whether it carries one, from
// the first of: Authorization: Bearer (other schemes are not subscriber
// tokens and are passed over), the access_token query parameter, the
// stockstream_token cookie. A Bearer header or an access_token parameter
// that is present but empty carries an empty, invalid token; an empty
// cookie is an expired session and carries none.
func TokenFrom(r *http.Request) (string, bool) {
	if scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " "); strings.EqualFold(scheme, "Bearer") {
		return strings.TrimSpace(tok), true
	}
	if r.URL.RawQuery != "" && strings.Contains(r.URL.RawQuery, QueryParam) {
		if vs, ok := r.URL.Query()[QueryParam]; ok {
			return vs[0], true
		}
	}
	if c, err := r.Cookie(CookieName); err == nil && c.Value != "" {
		return c.Value, true
	}
	return "", false
}

// Package redact takes secrets out of what stockstream prints: the
// passwords of a broker URL and the access token of a stream URL. Nothing
// secret is logged, and net/http's errors quote the URL they failed on.
package redact

import (
	"net/url"
	"strings"
)

// Redacted replaces a secret in what URL and AccessToken return.
const Redacted = "REDACTED"

// URL returns a URL without its passwords, for logs and errors: the
// user's, shown as xxxxx, and the password query parameter, which is a
// Sentinel URL's master password. A URL that does not parse is not shown
// at all.
func URL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable)"
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

// AccessToken returns a function that replaces the access_token query
// parameter of streamURL, if it has one, in a message: as given and as
// escaped in the URL, by REDACTED.
func AccessToken(streamURL string) func(string) string {
	u, err := url.Parse(streamURL)
	if err != nil {
		return func(s string) string { return s }
	}
	var pairs []string
	for _, tok := range u.Query()["access_token"] {
		if tok != "" {
			pairs = append(pairs, url.QueryEscape(tok), Redacted, tok, Redacted)
		}
	}
	return strings.NewReplacer(pairs...).Replace
}

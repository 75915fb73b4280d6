// Package fetch makes requests from the browser through its fetch API.
// The dashboard uses it rather than net/http, which would add about a
// megabyte to app.wasm. Requests go to the page's own origin with its
// cookies (the browser's default), so a session cookie set by one answer
// goes with the next requests. Natively, where the server only prerenders
// the UI, there is no browser: every request fails at once.
package fetch

import "time"

// Request is a request to send.
type Request struct {
	// Method is the HTTP method, GET if empty.
	Method string
	URL    string
	// Header holds the request's headers.
	Header map[string]string
	// Timeout, if positive, bounds the wait for the whole answer: a
	// request still unanswered then fails with Err.
	Timeout time.Duration
}

// Response is the outcome of a request: the HTTP status and body of the
// answer, or Err when none came (offline, server unreachable, request
// refused, timed out, body cut short).
type Response struct {
	Status int
	Body   string
	Err    error
}

// OK reports whether the request was answered with a 2xx status.
func (r Response) OK() bool { return r.Err == nil && r.Status >= 200 && r.Status < 300 }

// Get requests url, bypassing the browser's HTTP cache, and calls done
// from the browser's event loop once the answer's body has arrived.
func Get(url string, done func(Response)) { Do(Request{URL: url}, done) }

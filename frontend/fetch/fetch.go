// Package fetch makes GET requests from the browser through its fetch API.
// The dashboard uses it rather than net/http, which would add about a
// megabyte to app.wasm. Natively, where the server only prerenders the UI,
// there is no browser: every request fails at once.
package fetch

// Response is the outcome of a request: the HTTP status and body of the
// answer, or Err when none came (offline, server unreachable, request
// refused, body cut short).
type Response struct {
	Status int
	Body   string
	Err    error
}

// OK reports whether the request was answered with a 2xx status.
func (r Response) OK() bool { return r.Err == nil && r.Status >= 200 && r.Status < 300 }

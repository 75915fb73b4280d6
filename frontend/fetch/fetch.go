// Package fetch makes GET requests from the browser through its fetch API.
// The dashboard uses it rather than net/http, which would add about a
// megabyte to app.wasm. Natively, where the server only prerenders the UI,
// there is no browser: every request fails at once.
package fetch

// Response is the outcome of a request: the HTTP status of the answer, or
// Err when none came (offline, server unreachable, request refused).
type Response struct {
	Status int
	Err    error
}

//go:build !(js && wasm)

package fetch

import "errors"

// errNoBrowser is the error of every request made outside a browser.
var errNoBrowser = errors.New("fetch: no browser")

// Do calls done with an error: outside the browser there is no fetch.
func Do(r Request, done func(Response)) { done(Response{Err: errNoBrowser}) }

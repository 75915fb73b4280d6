//go:build !(js && wasm)

package fetch

import "errors"

// errNoBrowser is the error of every request made outside a browser.
var errNoBrowser = errors.New("fetch: no browser")

// Get calls done with an error: outside the browser there is no fetch.
func Get(url string, done func(Response)) { done(Response{Err: errNoBrowser}) }

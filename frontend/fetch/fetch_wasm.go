//go:build js && wasm

package fetch

import (
	"errors"
	"syscall/js"
)

// Get requests url from the browser, bypassing its HTTP cache, and calls
// done from the browser's event loop once the answer's status is known.
func Get(url string, done func(Response)) {
	var ok, failed js.Func
	release := func() {
		ok.Release()
		failed.Release()
	}
	ok = js.FuncOf(func(_ js.Value, args []js.Value) any {
		release()
		done(Response{Status: args[0].Get("status").Int()})
		return nil
	})
	failed = js.FuncOf(func(_ js.Value, args []js.Value) any {
		release()
		done(Response{Err: errors.New(args[0].Call("toString").String())})
		return nil
	})
	opts := js.Global().Get("Object").New()
	opts.Set("cache", "no-store")
	js.Global().Call("fetch", url, opts).Call("then", ok, failed)
}

//go:build js && wasm

package fetch

import (
	"errors"
	"syscall/js"
)

// Get requests url from the browser, bypassing its HTTP cache, and calls
// done from the browser's event loop once the answer's body has arrived.
func Get(url string, done func(Response)) {
	var answered, read, failed js.Func
	status := 0
	finish := func(r Response) {
		answered.Release()
		read.Release()
		failed.Release()
		done(r)
	}
	answered = js.FuncOf(func(_ js.Value, args []js.Value) any {
		status = args[0].Get("status").Int()
		args[0].Call("text").Call("then", read, failed)
		return nil
	})
	read = js.FuncOf(func(_ js.Value, args []js.Value) any {
		finish(Response{Status: status, Body: args[0].String()})
		return nil
	})
	failed = js.FuncOf(func(_ js.Value, args []js.Value) any {
		finish(Response{Err: errors.New(args[0].Call("toString").String())})
		return nil
	})
	opts := js.Global().Get("Object").New()
	opts.Set("cache", "no-store")
	js.Global().Call("fetch", url, opts).Call("then", answered, failed)
}

//go:build js && wasm

package fetch

import (
	"errors"
	"syscall/js"
)

// Do sends r from the browser, bypassing its HTTP cache, and calls done
// from the browser's event loop once the answer's body has arrived.
func Do(r Request, done func(Response)) {
	var answered, read, failed js.Func
	status := 0
	finish := func(resp Response) {
		answered.Release()
		read.Release()
		failed.Release()
		done(resp)
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
	js.Global().Call("fetch", r.URL, options(r)).Call("then", answered, failed)
}

// options returns the fetch options of r.
func options(r Request) js.Value {
	opts := js.Global().Get("Object").New()
	opts.Set("cache", "no-store")
	if r.Method != "" {
		opts.Set("method", r.Method)
	}
	if len(r.Header) > 0 {
		h := js.Global().Get("Object").New()
		for k, v := range r.Header {
			h.Set(k, v)
		}
		opts.Set("headers", h)
	}
	if signal := js.Global().Get("AbortSignal"); r.Timeout > 0 && signal.Get("timeout").Truthy() {
		opts.Set("signal", signal.Call("timeout", r.Timeout.Milliseconds()))
	}
	return opts
}

//go:build !(js && wasm)

package sse

// Dial returns a stream that never connects: outside the browser there is no
// EventSource. The server only prerenders the UI, which never mounts.
func Dial(url string, types []string, h Handlers) Stream { return idle{} }

type idle struct{}

func (idle) ReadyState() ReadyState { return Connecting }
func (idle) Close()                 {}

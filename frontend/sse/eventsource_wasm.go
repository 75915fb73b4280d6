//go:build js && wasm

package sse

import "syscall/js"

// eventSource is a browser EventSource with the listeners Dial added.
type eventSource struct {
	v         js.Value
	listeners []listener
	closed    bool
}

type listener struct {
	event string
	fn    js.Func
}

// Dial creates a browser EventSource for url that listens to the given event
// types.
func Dial(url string, types []string, h Handlers) Stream {
	s := &eventSource{v: js.Global().Get("EventSource").New(url)}
	s.listen("open", func(js.Value) {
		if h.Open != nil {
			h.Open()
		}
	})
	s.listen("error", func(js.Value) {
		if h.Error != nil {
			h.Error(s.ReadyState())
		}
	})
	for _, t := range types {
		s.listen(t, func(ev js.Value) {
			if h.Message != nil {
				h.Message(Message{Type: t, Data: ev.Get("data").String(), LastEventID: ev.Get("lastEventId").String()})
			}
		})
	}
	return s
}

func (s *eventSource) listen(event string, f func(js.Value)) {
	fn := js.FuncOf(func(_ js.Value, args []js.Value) any {
		if !s.closed && len(args) > 0 {
			f(args[0])
		}
		return nil
	})
	s.listeners = append(s.listeners, listener{event: event, fn: fn})
	s.v.Call("addEventListener", event, fn)
}

func (s *eventSource) ReadyState() ReadyState {
	return ReadyState(s.v.Get("readyState").Int())
}

func (s *eventSource) Close() {
	if s.closed {
		return
	}
	s.closed = true
	s.v.Call("close")
	for _, l := range s.listeners {
		s.v.Call("removeEventListener", l.event, l.fn)
		l.fn.Release()
	}
	s.listeners = nil
}

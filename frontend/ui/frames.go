package ui

import (
	"sync"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// frames runs a function on the browser's next animation frame when asked,
// at most once per frame however often it is asked in between, and never
// sooner than a rest period after the previous run: a page that took 20 ms
// to render leaves the main thread idle for as long before the next render.
// Browsers pause animation frames in hidden tabs, so nothing runs there.
//
// Request may be called from any goroutine (the stream's callbacks run on
// the browser's event loop); run is called from the browser's frame
// callback and usually hands its work to the UI goroutine.
type frames struct {
	run func()

	mu        sync.Mutex
	fn        app.Func
	id        app.Value // the pending requestAnimationFrame, or nil
	timer     *time.Timer
	notBefore time.Time
	pending   bool
	closed    bool
}

func newFrames(run func()) *frames {
	f := &frames{run: run}
	f.fn = app.FuncOf(func(app.Value, []app.Value) any {
		f.mu.Lock()
		f.pending, f.id = false, nil
		closed := f.closed
		f.mu.Unlock()
		if !closed {
			f.run()
		}
		return nil
	})
	return f
}

// Request asks for one run at the next animation frame after the rest
// period.
func (f *frames) Request() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.pending || f.closed {
		return
	}
	f.pending = true
	if wait := time.Until(f.notBefore); wait > 0 {
		f.timer = time.AfterFunc(wait, f.animate)
		return
	}
	f.requestLocked()
}

// Rest makes the next run wait at least d.
func (f *frames) Rest(d time.Duration) {
	f.mu.Lock()
	f.notBefore = time.Now().Add(d)
	f.mu.Unlock()
}

// animate requests the animation frame once the rest period is over.
func (f *frames) animate() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.timer = nil
	if !f.closed {
		f.requestLocked()
	}
}

func (f *frames) requestLocked() {
	f.id = app.Window().Call("requestAnimationFrame", f.fn)
}

// Close cancels a pending run and releases the browser function; Request
// does nothing afterwards.
func (f *frames) Close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return
	}
	f.closed = true
	if f.timer != nil {
		f.timer.Stop()
	}
	if f.id != nil {
		app.Window().Call("cancelAnimationFrame", f.id)
	}
	f.fn.Release()
}

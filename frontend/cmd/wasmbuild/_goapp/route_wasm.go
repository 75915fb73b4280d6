//go:build js && wasm

// This file is added to go-app's pkg/app in the WebAssembly build, in
// place of route.go (see PATCH.md): the browser's router matches exact
// paths only, so that app.wasm carries no regexp package and no Unicode
// tables to initialise at every start. RouteWithRegexp panics in this
// build; the server registers pattern routes, the browser exact ones.

package app

import "sync"

type router struct {
	mu     sync.RWMutex
	routes map[string]func() Composer
}

func makeRouter() router {
	return router{
		routes: make(map[string]func() Composer),
	}
}

func (r *router) route(path string, newComponent func() Composer) {
	r.mu.Lock()
	defer r.mu.Unlock()

	r.routes[path] = newComponent
}

func (r *router) routeWithRegexp(pattern string, newComponent func() Composer) {
	panic("app.RouteWithRegexp(" + pattern + "): pattern routes are left out of the browser build; route exact paths with app.Route")
}

func (r *router) createComponent(path string) (Composer, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()

	if newComponent, routed := r.routes[path]; routed {
		return newComponent(), true
	}
	return nil, false
}

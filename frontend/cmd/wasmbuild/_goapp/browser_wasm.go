//go:build js && wasm

// This file is added to go-app's pkg/app in the WebAssembly build, in
// place of http.go and resource.go, which are left out (see PATCH.md). It
// declares the two names the browser's code of the package still uses.

package app

import "strings"

// Handler is go-app's HTTP handler, which only a server uses. The browser
// build keeps the name for GenerateStaticWebsite's signature in wasm.go.
type Handler struct{}

// clientResourceResolver, remoteLocation and webLocation are copied from
// go-app's resource.go; wasmbuild fails when that file changes upstream.

func clientResourceResolver(resourcesLocation string) func(string) string {
	return func(location string) string {
		if remoteLocation(location) || !webLocation(location) {
			return location
		}
		location = strings.Trim(location, "/")
		return resourcesLocation + "/" + strings.TrimPrefix(location, "web/")
	}
}

func remoteLocation(location string) bool {
	return strings.HasPrefix(location, "https://") ||
		strings.HasPrefix(location, "http://")
}

func webLocation(location string) bool {
	return strings.HasPrefix(location, "/web/") ||
		location == "/web" ||
		strings.HasPrefix(location, "web/") ||
		location == "web"
}

// Package ui holds the app's components, one per file. It builds for the
// browser and for the server: the server registers the same routes and
// prerenders the page, the browser mounts it on the stream the wasm main
// opened first (OpenStream). One component, page, owns the state (the
// board, a symbol's chart, the stream) and draws the dashboard or a
// symbol's page; the other components render what they are given.
package ui

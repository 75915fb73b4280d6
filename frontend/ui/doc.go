// Package ui holds the dashboard's components, one per file. It builds for
// the browser and for the server: the server registers the same routes and
// prerenders the page, the browser mounts it and connects to the stream.
// Only the dashboard owns state; the other components render what they are
// given.
package ui

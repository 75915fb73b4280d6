// Package pwa serves the dashboard as an installable progressive web app:
// go-app's handler configured with our name, icons, theme and a version
// derived from the built assets, serving every file from the binary,
// app.wasm precompressed (brotli or gzip by Accept-Encoding, strong ETags),
// a service worker that leaves the stream and the API to the network, and
// the security headers the page needs and no more. go-app's loader is
// edited (loader.go) to instantiate the versioned, immutable app.wasm
// straight from its fetch and to leave registering the worker to the app.
package pwa

// Package e2e holds the end-to-end tests of the dashboard: they start the
// real server in-process on 127.0.0.1 (in-memory broker, the embedded PWA)
// and drive Debian's Chromium through chromedp. They need the built frontend
// (make wasm) and Chromium; under CI=true a missing browser is a failure.
package e2e

// Package e2e holds the end-to-end tests of the dashboard: they start the
// real server in-process on 127.0.0.1 (in-memory broker, the embedded PWA)
// and drive Debian's Chromium through chromedp. They need the built frontend
// (make wasm) and Chromium; under CI=true a missing browser is a failure.
// Every test fails on a CSP violation, a Go panic or an uncaught exception
// in the page; E2E_CONSOLE=1 logs the page's console output.
//
// TestTimeToFirstPrice measures the time from navigation to the first price
// (cold and with the service worker): go test -v -run TestTimeToFirstPrice.
package e2e

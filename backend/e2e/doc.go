// Package e2e holds the end-to-end tests of the dashboard: they start the
// real server in-process on 127.0.0.1 (in-memory broker, the embedded PWA)
// and drive Debian's Chromium through chromedp, one browser per test, tests
// side by side. They need the built frontend (make wasm), Chromium and
// axe-core (make test-deps installs both); a missing one fails the test,
// saying how to install it. Every test fails on a CSP violation, a Go panic
// or an uncaught exception in the page; E2E_CONSOLE=1 logs the page's
// console output.
//
// StartupProbe, the one non-test file, is the script that times the page's
// start in the tests and in bench/cmd/pagebench.
//
// BenchmarkFirstLivePrice measures the time from navigation to the first
// live price, cold and with the service worker:
//
//	go test -run '^$' -bench FirstLivePrice -benchtime 5x ./backend/e2e
package e2e

package pwa

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// networkOnly is prepended to go-app's service worker. Its fetch listener
// runs first and stops the worker's cache-first listener for the stream and
// the API: an EventSource held open through the worker would keep a new
// version from ever activating, and stream and API answers must never come
// from a cache. Without respondWith the browser fetches them from the
// network itself.
//
// It also answers the versioned app.wasm from the browser's HTTP cache,
// where it is kept for a year, and from the worker's cache only when that
// fails (offline, and evicted from the HTTP cache): Chromium keeps
// app.wasm's compiled code beside the HTTP cache's copy, and uses it for a
// response a service worker passes through with fetch(event.request), but
// not for one it builds from its cache. (The path is in single quotes: the
// loader's edit of the worker replaces the double-quoted one, go-app's.)
const networkOnly = `// Stream, API and probes go straight to the network; app.wasm comes
// from the HTTP cache, beside which Chromium keeps its compiled code.
self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  const p = url.pathname;
  if (p === "/stocks" || p.startsWith("/api/") || p === "/healthz" || p === "/readyz" || p === "/metrics") {
    event.stopImmediatePropagation();
  }
  if (p === '` + wasmPath + `' && url.searchParams.has("v")) {
    event.stopImmediatePropagation();
    event.respondWith(fetch(event.request).catch(() => caches.match(event.request)));
  }
});

`

// workerTemplate is the app's ServiceWorkerTemplate.
func workerTemplate() string { return networkOnly + app.DefaultAppWorkerJS }

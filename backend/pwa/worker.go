package pwa

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// networkOnly is prepended to go-app's service worker. Its fetch listener
// runs first and stops the worker's cache-first listener for the stream and
// the API: an EventSource held open through the worker would keep a new
// version from ever activating, and stream and API answers must never come
// from a cache. Without respondWith the browser fetches them from the
// network itself.
const networkOnly = `// Stream, API and probes go straight to the network.
self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  const p = url.pathname;
  if (p === "/stocks" || p.startsWith("/api/") || p === "/healthz" || p === "/readyz" || p === "/metrics") {
    event.stopImmediatePropagation();
  }
});

`

// workerTemplate is the app's ServiceWorkerTemplate.
func workerTemplate() string { return networkOnly + app.DefaultAppWorkerJS }

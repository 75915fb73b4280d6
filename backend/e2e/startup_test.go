package e2e_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
	"github.com/stockstream/stockstream/backend/e2e"
)

// startup is what e2e.StartupProbe recorded.
type startup struct {
	EventSources []struct {
		At  float64
		URL string
	}
	WorkerRegistered []float64
	Mounted          *float64
	FirstLivePrice   *float64
	LongTasks        []struct{ Start, Duration float64 }
	Wasm             []struct {
		Start, Duration, TransferSize float64
		Name                          string
	}
}

// probeStartup adds e2e.StartupProbe to every document the browser opens from
// now on.
func (b *browser) probeStartup() {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: e2e.StartupProbe}); err != nil {
		b.t.Fatalf("add the startup probe: %v", err)
	}
}

// startup returns what the probe recorded in the current document.
func (b *browser) startup() startup {
	b.t.Helper()
	var s startup
	if err := b.eval(`({...window.__startup, wasm: performance.getEntriesByType("resource").filter(e => e.name.includes("app.wasm")).map(e => ({name: e.name, start: e.startTime, duration: e.duration, transferSize: e.transferSize}))})`, &s); err != nil {
		b.t.Fatalf("read the startup probe: %v", err)
	}
	return s
}

// wasmRequests counts the requests for app.wasm that reach the server.
type wasmRequests struct {
	next http.Handler
	n    atomic.Int64
}

func (c *wasmRequests) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/web/app.wasm" {
		c.n.Add(1)
	}
	c.next.ServeHTTP(w, r)
}

// serviceWorker returns a context on the page's service worker, once it
// runs.
func (b *browser) serviceWorker() context.Context {
	b.t.Helper()
	var id target.ID
	deadline := time.Now().Add(30 * time.Second)
	for id == "" && time.Now().Before(deadline) {
		targets, err := chromedp.Targets(b.ctx)
		if err != nil {
			b.t.Fatal(err)
		}
		for _, t := range targets {
			if t.Type == "service_worker" {
				id = t.TargetID
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	if id == "" {
		b.t.Fatal("no service worker runs")
	}
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithTargetID(id))
	b.t.Cleanup(cancel)
	return ctx
}

// wasmTransfers returns the bytes each fetch of app.wasm in a page or
// worker took from the network, by Resource Timing: 0 for one the HTTP
// cache answered.
const wasmTransfers = `performance.getEntriesByType("resource").filter(e => new URL(e.name).pathname === "/web/app.wasm").map(e => e.transferSize)`

// TestStartupOrder: on a cold visit the app opens the stream before its
// first render replaces the page the server rendered, registers the
// service worker only after that, once, and app.wasm crosses the network
// once: the loader's compiler worker downloads it (the page itself never
// fetches it, so that its main thread never decodes it), and the service
// worker precaches it from the HTTP cache. The stream is opened once.
func TestStartupOrder(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	s.seed()
	counted := &wasmRequests{next: s.App}
	s.stop()
	s.App = counted
	s.start()

	b := newBrowser(t)
	b.probeStartup()
	b.navigate(s.URL() + "/")
	b.wait("a live price", `window.__startup.firstLivePrice`, 30*time.Second)
	waitServiceWorker(b)
	st := b.startup()
	if st.Mounted == nil || len(st.EventSources) != 1 || len(st.WorkerRegistered) != 1 {
		t.Fatalf("mounted at %v, %d streams opened, worker registered %d times; want one each", st.Mounted, len(st.EventSources), len(st.WorkerRegistered))
	}
	mounted, opened, registered := *st.Mounted, st.EventSources[0].At, st.WorkerRegistered[0]
	t.Logf("stream opened at %.0f ms, app mounted at %.0f ms, worker registered at %.0f ms, first live price at %.0f ms",
		opened, mounted, registered, *st.FirstLivePrice)
	if opened >= mounted {
		t.Errorf("the stream opened at %.0f ms, after the app's first render at %.0f ms", opened, mounted)
	}
	if registered <= mounted {
		t.Errorf("the service worker was registered at %.0f ms, before the app's first render at %.0f ms", registered, mounted)
	}

	var page []float64
	if err := b.eval(wasmTransfers, &page); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(b.serviceWorker(), evalTimeout)
	defer cancel()
	worker, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](wasmTransfers))
	if err != nil {
		t.Fatalf("app.wasm fetches of the worker: %v", err)
	}
	t.Logf("app.wasm transfers: page %v, worker %v; server answered %d", page, worker, counted.n.Load())
	if len(page) != 0 {
		t.Errorf("the page fetched app.wasm itself %d times (bytes from the network %v), want none: the compiler worker does", len(page), page)
	}
	if len(worker) != 1 || worker[0] != 0 {
		t.Errorf("the worker fetched app.wasm %d times (bytes from the network %v), want once from the HTTP cache", len(worker), worker)
	}
	if n := counted.n.Load(); n != 1 {
		t.Errorf("app.wasm was asked for %d times on a cold visit, want once", n)
	}
}

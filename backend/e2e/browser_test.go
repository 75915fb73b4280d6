package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/performance"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/stockstream/stockstream/frontend/market"
	"github.com/stockstream/stockstream/shared/stock"
)

// chromiumPaths are where Debian and others install Chromium.
var chromiumPaths = []string{"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"}

// findChromium returns the browser to drive. A missing browser fails the
// test, saying how to install it: make test installs it first.
func findChromium(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, p := range chromiumPaths {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	t.Fatal("chromium not found: run make test-deps (it installs Chromium with apt-get), install chromium yourself, or set CHROMIUM to a Chromium or Chrome binary")
	return ""
}

// browser is one headless Chromium with a fresh profile and one tab.
type browser struct {
	t   testing.TB
	ctx context.Context

	mu       sync.Mutex
	problems []string // CSP violations, Go panics, uncaught exceptions

	memories runtime.RemoteObjectID // the page's WebAssembly memories, once found
}

// badSigns mark console output that no test may produce.
var badSigns = []string{"Content Security Policy", "panic:", "call to released function", "fatal error:"}

// newBrowser starts Chromium; it is stopped when the test ends.
func newBrowser(t testing.TB) *browser {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(findChromium(t)),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.WindowSize(1200, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	b := &browser{t: t, ctx: ctx}
	b.watchConsole()
	if err := chromedp.Do(ctx, enableLog); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	t.Cleanup(b.checkConsole)
	return b
}

// enableLog turns on the Log domain, which reports CSP violations.
func enableLog(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
	_, err := cdp.Call(ctx, t, cdplog.Enable, cdp.Empty{})
	return chromedp.Void{}, err
}

// watchConsole records CSP violations, Go panics and uncaught exceptions.
func (b *browser) watchConsole() {
	logs := chromedp.Events(b.ctx, cdplog.EntryAdded)
	calls := chromedp.Events(b.ctx, runtime.ConsoleAPICalled)
	thrown := chromedp.Events(b.ctx, runtime.ExceptionThrown)
	go func() {
		for e, err := range logs {
			if err != nil {
				return
			}
			b.note(e.Entry.Text)
		}
	}()
	go func() {
		for e, err := range calls {
			if err != nil {
				return
			}
			for _, a := range e.Args {
				b.note(fmt.Sprintf("%s %s", a.Value, a.Description))
			}
		}
	}()
	go func() {
		for e, err := range thrown {
			if err != nil {
				return
			}
			b.mu.Lock()
			d := e.ExceptionDetails
			msg := d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
			b.problems = append(b.problems, "uncaught: "+msg)
			b.mu.Unlock()
		}
	}()
}

// bfcacheRefusals collects the reasons Chromium gives from now on for not
// restoring a page from its back/forward cache; the function it returns
// lists them.
func (b *browser) bfcacheRefusals() func() []string {
	var mu sync.Mutex
	var reasons []string
	events := chromedp.Events(b.ctx, page.BackForwardCacheNotUsed)
	go func() {
		for e, err := range events {
			if err != nil {
				return
			}
			mu.Lock()
			for _, x := range e.NotRestoredExplanations {
				reasons = append(reasons, fmt.Sprintf("%s (%s) %s", x.Reason, x.Type, x.Context))
			}
			mu.Unlock()
		}
	}()
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(reasons)
	}
}

func (b *browser) note(text string) {
	if os.Getenv("E2E_CONSOLE") != "" {
		b.t.Log("console:", text)
	}
	for _, sign := range badSigns {
		if strings.Contains(text, sign) {
			b.mu.Lock()
			b.problems = append(b.problems, text)
			b.mu.Unlock()
			return
		}
	}
}

// checkConsole fails the test if the page reported a problem.
func (b *browser) checkConsole() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range b.problems {
		b.t.Errorf("browser console: %s", p)
	}
}

// navigate opens url and waits for the page to load.
func (b *browser) navigate(url string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		b.t.Fatalf("navigate %s: %v", url, err)
	}
}

// reload reloads the page.
func (b *browser) reload() {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
		b.t.Fatalf("reload: %v", err)
	}
}

// evalTimeout bounds one evaluation: a page under a busy stream on a loaded
// machine may take seconds to get to it.
const evalTimeout = 30 * time.Second

// eval evaluates a JavaScript expression (awaiting a promise) into v.
func (b *browser) eval(expr string, v any) error {
	ctx, cancel := context.WithTimeout(b.ctx, evalTimeout)
	defer cancel()
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[json.RawMessage](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		return err
	}
	if v == nil {
		return nil
	}
	return json.Unmarshal(raw, v)
}

// wait polls a JavaScript expression until it is true, failing the test
// after timeout with what the page showed.
func (b *browser) wait(what, expr string, timeout time.Duration) {
	b.t.Helper()
	deadline := time.Now().Add(timeout)
	var lastErr error
	for time.Now().Before(deadline) {
		var ok bool
		if lastErr = b.eval("Promise.resolve("+expr+").then(v => !!v)", &ok); lastErr == nil && ok {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.t.Fatalf("timed out after %v waiting for %s (%s); last error: %v\npage: %s", timeout, what, expr, lastErr, b.summary())
}

// text returns the text of the first element matching a CSS selector.
func (b *browser) text(sel string) string {
	b.t.Helper()
	var s string
	if err := b.eval(`(document.querySelector(`+jsString(sel)+`) || {}).textContent || ""`, &s); err != nil {
		b.t.Fatalf("text %s: %v", sel, err)
	}
	return s
}

// summary describes the page for failure messages.
func (b *browser) summary() string {
	var s string
	b.eval(`(() => {
		const st = document.querySelector("[data-status]");
		const rows = [...document.querySelectorAll("[data-symbol]")].map(r =>
			r.dataset.symbol + "=" + (r.querySelector("[data-price]") || {}).textContent);
		return "status=" + (st ? st.dataset.status + " last=" + st.dataset.lastEventId : "none") + " rows=" + rows.join(",");
	})()`, &s)
	return s
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// priceOf returns the selector of a symbol's price.
func priceOf(sym string) string {
	return `[data-symbol="` + sym + `"] [data-price]`
}

// hasPrice is a JavaScript expression true when sym shows price, written
// as the page writes every price: exact, with at least two decimals.
func hasPrice(sym, price string) string {
	return `(document.querySelector(` + jsString(priceOf(sym)) + `) || {}).textContent === ` +
		jsString(market.FormatPrice(stock.MustParsePrice(price)))
}

// statusIs is a JavaScript expression true when the badge shows one of the
// states.
func statusIs(states ...string) string {
	var parts []string
	for _, s := range states {
		parts = append(parts, `document.querySelector('[data-status="`+s+`"]')`)
	}
	return strings.Join(parts, " || ")
}

// do runs actions on the page, failing the test on an error.
func (b *browser) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v\npage: %s", what, err, b.summary())
	}
}

// typeText types text into the element sel as a person does: it clicks
// the element and sends one key event per character through the
// DevTools protocol.
func (b *browser) typeText(sel, text string) {
	b.t.Helper()
	b.do("type "+text+" into "+sel, chromedp.Click(chromedp.CSS(sel)), chromedp.SendKeys(chromedp.CSS(sel), text))
}

// press sends keys (kb.Enter, kb.Backspace…) to the focused element.
func (b *browser) press(keys string) {
	b.t.Helper()
	b.do("press keys", chromedp.KeyEvent(keys))
}

// click clicks the element sel with the mouse.
func (b *browser) click(sel string) {
	b.t.Helper()
	b.do("click "+sel, chromedp.Click(chromedp.CSS(sel)))
}

// pageMetrics returns the page's JavaScript heap and DOM counters.
func (b *browser) pageMetrics() map[string]float64 {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 2*evalTimeout)
	defer cancel()
	if _, err := chromedp.Call(ctx, performance.Enable, performance.EnableParams{}); err != nil {
		b.t.Fatalf("performance metrics: %v", err)
	}
	res, err := chromedp.Call(ctx, performance.GetMetrics, cdp.Empty{})
	if err != nil {
		b.t.Fatalf("performance metrics: %v", err)
	}
	out := map[string]float64{}
	for _, m := range res.Metrics {
		out[m.Name] = m.Value
	}
	return out
}

// wasmMemory returns the bytes of WebAssembly memory the page holds: the
// Go heap of app.wasm, which the JavaScript heap does not count. The
// DevTools protocol finds the memories without the page's help; the search
// walks the whole heap, so it is done once and its result kept.
func (b *browser) wasmMemory() int64 {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 2*evalTimeout)
	defer cancel()
	if b.memories == "" {
		proto, err := chromedp.Call(ctx, runtime.Evaluate, runtime.EvaluateParams{Expression: "WebAssembly.Memory.prototype", ObjectGroup: "memory"})
		if err != nil || proto.Result == nil || proto.Result.ObjectID == "" {
			b.t.Fatalf("WebAssembly.Memory.prototype: %v", err)
		}
		mems, err := chromedp.Call(ctx, runtime.QueryObjects, runtime.QueryObjectsParams{PrototypeObjectID: proto.Result.ObjectID, ObjectGroup: "memory"})
		if err != nil || mems.Objects == nil {
			b.t.Fatalf("query WebAssembly memories: %v", err)
		}
		b.memories = mems.Objects.ObjectID
	}
	t := true
	sum, err := chromedp.Call(ctx, runtime.CallFunctionOn, runtime.CallFunctionOnParams{
		FunctionDeclaration: "function() { return this.reduce((n, m) => n + m.buffer.byteLength, 0) }",
		ObjectID:            b.memories, ReturnByValue: &t,
	})
	if err != nil || sum.Result == nil {
		b.t.Fatalf("WebAssembly memory size: %v", err)
	}
	var n int64
	if err := json.Unmarshal(sum.Result.Value, &n); err != nil {
		b.t.Fatalf("WebAssembly memory size %s: %v", sum.Result.Value, err)
	}
	return n
}

// watchLongTasks starts recording the main thread's long tasks (over 50 ms).
func (b *browser) watchLongTasks() {
	b.t.Helper()
	if err := b.eval(`(() => { window.__longTasks = []; new PerformanceObserver(l => window.__longTasks.push(...l.getEntries().map(e => e.duration))).observe({type: "longtask"}); return true })()`, nil); err != nil {
		b.t.Fatal(err)
	}
}

// longTasks returns the durations of the long tasks since watchLongTasks.
func (b *browser) longTasks() []time.Duration {
	b.t.Helper()
	var ms []float64
	if err := b.eval(`window.__longTasks`, &ms); err != nil {
		b.t.Fatal(err)
	}
	out := make([]time.Duration, len(ms))
	for i, v := range ms {
		out[i] = time.Duration(v * float64(time.Millisecond))
	}
	return out
}

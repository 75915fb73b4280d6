package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// chromiumPaths are where Debian and others install Chromium.
var chromiumPaths = []string{"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"}

// findChromium returns the browser to drive. Under CI=true a missing
// browser fails the test; elsewhere the test is skipped with the command
// that installs it.
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
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium not found: install it (apt-get install -y chromium)")
	}
	t.Skip("chromium not found: run make test-deps or apt-get install -y chromium")
	return ""
}

// browser is one headless Chromium with a fresh profile and one tab.
type browser struct {
	t   testing.TB
	ctx context.Context

	mu       sync.Mutex
	problems []string // CSP violations, Go panics, uncaught exceptions
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

// eval evaluates a JavaScript expression (awaiting a promise) into v.
func (b *browser) eval(expr string, v any) error {
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
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

// hasPrice is a JavaScript expression true when sym shows price.
func hasPrice(sym, price string) string {
	return `(document.querySelector(` + jsString(priceOf(sym)) + `) || {}).textContent === ` + jsString(price)
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

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/stockstream/stockstream/backend/e2e"
)

// server is one release's running server.
type server struct {
	name, url string
}

// sample is one run's figures for one server; times in milliseconds.
type sample struct {
	MobileScore, MobileTBT   float64
	DesktopScore, DesktopTBT float64
	ColdLive, WarmLive       float64 // first live price
	ColdTask, WarmTask       float64 // longest main-thread task at start, wall clock
	ColdTaskCPU, WarmTaskCPU float64 // the same by the thread's CPU time
}

// results holds every run's samples and app.wasm's size, per server.
type results struct {
	servers    []server
	samples    [][]sample
	wasmBrotli []int64
	load       [2]string // load average before and after
}

// bench runs the measurements.
type bench struct {
	runs       int
	lighthouse string
	chromium   string
}

// run measures every server runs times, alternating which goes first.
func (b bench) run(servers []server) (*results, error) {
	r := &results{servers: servers, samples: make([][]sample, len(servers)), load: [2]string{loadAverage(), ""}}
	for _, s := range servers {
		n, err := brotliSize(s.url)
		if err != nil {
			return nil, err
		}
		r.wasmBrotli = append(r.wasmBrotli, n)
	}
	for i := range b.runs {
		for k := range servers {
			j := (i + k) % len(servers)
			s := servers[j]
			fmt.Fprintf(os.Stderr, "run %d/%d: %s\n", i+1, b.runs, s.name)
			smp, err := b.measure(s.url)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", s.name, err)
			}
			r.samples[j] = append(r.samples[j], smp)
		}
	}
	r.load[1] = loadAverage()
	return r, nil
}

// measure takes one sample of a server.
func (b bench) measure(url string) (sample, error) {
	var s sample
	var err error
	if s.MobileScore, s.MobileTBT, err = b.audit(url, "mobile"); err != nil {
		return s, err
	}
	if s.DesktopScore, s.DesktopTBT, err = b.audit(url, "desktop"); err != nil {
		return s, err
	}
	var cold, warm visitFigures
	cold, warm, err = b.visits(url)
	s.ColdLive, s.ColdTask, s.ColdTaskCPU = cold.live, cold.task, cold.taskCPU
	s.WarmLive, s.WarmTask, s.WarmTaskCPU = warm.live, warm.task, warm.taskCPU
	return s, err
}

// audit runs Lighthouse's performance audit with a preset and returns the
// score (0–100) and the Total Blocking Time in milliseconds.
func (b bench) audit(url, preset string) (score, tbt float64, err error) {
	args := []string{url, "--quiet", "--only-categories=performance", "--output=json", "--output-path=stdout",
		"--chrome-flags=--headless=new --no-sandbox --disable-dev-shm-usage"}
	if preset == "desktop" {
		args = append(args, "--preset=desktop")
	}
	cmd := exec.Command(b.lighthouse, args...)
	cmd.Env = append(os.Environ(), "CHROME_PATH="+b.chromium)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return 0, 0, fmt.Errorf("lighthouse %s: %w", preset, err)
	}
	var report struct {
		Categories struct {
			Performance struct{ Score float64 }
		}
		Audits map[string]struct{ NumericValue float64 }
	}
	if err := json.Unmarshal(out, &report); err != nil {
		return 0, 0, fmt.Errorf("lighthouse %s report: %w", preset, err)
	}
	return 100 * report.Categories.Performance.Score, report.Audits["total-blocking-time"].NumericValue, nil
}

// visitFigures are one visit's figures, in milliseconds: the first live
// price, and the longest main-thread task by the wall clock and by CPU
// time.
type visitFigures struct {
	live, task, taskCPU float64
}

// visits opens the page in a fresh browser profile, then, once its
// service worker holds app.wasm and the browser had time to keep the
// compiled code, once more, and returns the figures of each visit.
func (b bench) visits(url string) (cold, warm visitFigures, err error) {
	dir, err := os.MkdirTemp("", "pagebench-")
	if err != nil {
		return cold, warm, err
	}
	defer os.RemoveAll(dir)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(b.chromium), chromedp.UserDataDir(dir), chromedp.Headless, chromedp.NoSandbox,
		chromedp.NoFirstRun, chromedp.Flag("disable-gpu", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-extensions", true), chromedp.WindowSize(1200, 900))
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	defer cancelTimeout()
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: e2e.StartupProbe}); err != nil {
		return cold, warm, err
	}
	if cold, err = visit(ctx, url); err != nil {
		return cold, warm, fmt.Errorf("cold visit: %w", err)
	}
	if err := waitFor(ctx, workerHoldsWasm); err != nil {
		return cold, warm, fmt.Errorf("service worker: %w", err)
	}
	time.Sleep(2 * time.Second)
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		return cold, warm, err
	}
	if warm, err = visit(ctx, url); err != nil {
		return cold, warm, fmt.Errorf("warm visit: %w", err)
	}
	return cold, warm, nil
}

// workerHoldsWasm is true once a service worker controls the page and its
// cache holds app.wasm.
const workerHoldsWasm = `navigator.serviceWorker.controller && caches.keys().then(ks => Promise.all(ks.map(k => caches.open(k).then(c => c.keys())))).then(rs => rs.flat().some(r => new URL(r.url).pathname === "/web/app.wasm"))`

// visit navigates to url under a trace and returns when the first live
// price showed and the longest main-thread task until a second after it.
func visit(ctx context.Context, url string) (f visitFigures, err error) {
	tr, err := startTrace(ctx)
	if err != nil {
		return f, err
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		tr.stop(ctx)
		return f, err
	}
	if err := waitFor(ctx, `window.__startup && window.__startup.firstLivePrice`); err != nil {
		tr.stop(ctx)
		return f, err
	}
	time.Sleep(time.Second)
	events, err := tr.stop(ctx)
	if err != nil {
		return f, err
	}
	if f.live, err = chromedp.Run(ctx, chromedp.Evaluate[float64](`window.__startup.firstLivePrice`)); err != nil {
		return f, err
	}
	f.task, f.taskCPU, err = longestTask(events, url)
	return f, err
}

// waitFor polls a JavaScript expression until it is true.
func waitFor(ctx context.Context, expr string) error {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("Promise.resolve("+expr+").then(v => !!v)", chromedp.EvalAwaitPromise))
		if err == nil && ok {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("timed out waiting for %s", expr)
}

// brotliSize returns the bytes of app.wasm a browser that accepts brotli
// downloads.
func brotliSize(base string) (int64, error) {
	req, err := http.NewRequest(http.MethodGet, base+"/web/app.wasm", nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Accept-Encoding", "br")
	res, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Encoding") != "br" {
		return 0, fmt.Errorf("%s/web/app.wasm: %s, Content-Encoding %q", base, res.Status, res.Header.Get("Content-Encoding"))
	}
	return io.Copy(io.Discard, res.Body)
}

// loadAverage returns the machine's load averages over 1, 5 and 15 minutes.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil || len(b) < 14 {
		return "?"
	}
	var a, c, d string
	fmt.Sscan(string(b), &a, &c, &d)
	return a + " " + c + " " + d
}

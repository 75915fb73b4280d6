// Command benchall builds stockstream, the load generator and the peer
// servers, runs every scenario against each server in turn, writes the
// results to bench/results/*.json and regenerates BENCHMARKS.md.
//
// Run it from the repository root:
//
//	cd bench && GOWORK=off go run ./cmd/benchall
//
// BENCH_QUICK=1 (or --quick) shortens every run for a smoke test.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/stockstream/stockstream/bench/internal/report"
)

// scenario is one load: Conns streams and Rate events/s, or idle streams
// (Rate 0) whose memory is read after a hold, conflated over Conflate if
// set. OursOnly scenarios measure what the peers do not offer; scenarios
// with Variants run stockstream alone, once per variant and round, the
// variants alternating.
type scenario struct {
	Name  string
	Slug  string
	Conns int // 0: up to the open-file limit
	Rate  int
	// Dialers is how many streams are dialled at once: a few for a
	// gradual opening, all of them for a burst (a fleet reconnecting
	// after a deploy).
	Dialers int
	// Hold is how long idle streams are held before their memory is read
	// (0: the run's timing).
	Hold     time.Duration
	Conflate time.Duration
	OursOnly bool
	// Variants are ways of serving and reading stockstream compared side
	// by side, each run Rounds times (at least once), alternately.
	Variants []variant
	Rounds   int
	// Publish, if set, is how long this scenario publishes (instead of
	// the run's timing); Prefill is a number of events published before
	// the streams open; Fill, for delayed readers, the events published
	// twice at full speed afterwards to measure what each costs held.
	Publish time.Duration
	Prefill int
	Fill    int
}

// gradual is the number of streams dialled at once when they are opened
// gradually.
const gradual = 32

// burst is the number of streams of the burst scenario, all dialled at
// once: below the machine's open-file limit of 20,000 with room to spare.
const burst = 19000

var scenarios = []scenario{
	{Name: "1,000 subs × 200/s", Slug: "1k-x-200", Conns: 1000, Rate: 200, Dialers: gradual},
	{Name: "10,000 subs × 20/s", Slug: "10k-x-20", Conns: 10000, Rate: 20, Dialers: gradual},
	{Name: "10,000 subs × 50/s", Slug: "10k-x-50", Conns: 10000, Rate: 50, Dialers: gradual},
	{Name: "idle streams up to the open-file limit, opened gradually", Slug: "idle", Dialers: gradual},
	{Name: "idle: 19,000 streams opened at once, read 30 s later", Slug: "idle-burst", Conns: burst, Dialers: burst,
		Hold: 30 * time.Second},
	{Name: "1,000 subs × 200/s, conflate=250ms", Slug: "1k-x-200-conflate", Conns: 1000, Rate: 200, Dialers: gradual,
		Conflate: 250 * time.Millisecond, OursOnly: true},
	{Name: "10,000 subs × 200/s, every event", Slug: "10k-x-200", Conns: 10000, Rate: 200, Dialers: gradual,
		OursOnly: true},
	{Name: "10,000 subs × 200/s, conflate=250ms", Slug: "10k-x-200-conflate", Conns: 10000, Rate: 200, Dialers: gradual,
		Conflate: 250 * time.Millisecond, OursOnly: true},
	{Name: "1,000 subs × 200/s: HTTP/1.1 and HTTP/2 over TLS", Slug: "1k-x-200-h2", Conns: 1000, Rate: 200, Dialers: gradual,
		Variants: []variant{{Label: http1}, {Label: http2, TLS: true}}, Rounds: 2},
	{Name: "1,000 subs × 200/s: token holders and no --subscribe-key", Slug: "1k-x-200-token", Conns: 1000, Rate: 200, Dialers: gradual,
		Variants: []variant{{Label: noKey}, {Label: tokens, Token: true}}, Rounds: 4},
	{Name: "10,000 delayed readers (--anonymous-delay 15m), 200 events/s", Slug: "10k-delayed", Conns: 10000, Rate: 200, Dialers: gradual,
		Variants: []variant{{Label: delayed, Delay: 15 * time.Minute}}, Publish: time.Minute, Prefill: 12000, Fill: 50000},
}

// The variants' labels.
const (
	http1   = "stockstream, HTTP/1.1"
	http2   = "stockstream, HTTP/2 over TLS"
	noKey   = "stockstream, no --subscribe-key"
	tokens  = "stockstream, token holders"
	delayed = "stockstream, --anonymous delayed"
)

// timing is how long each run publishes, drains and holds idle streams;
// in a quick run, every idle scenario holds its streams for Idle.
type timing struct {
	Publish, Drain, Idle time.Duration
	Quick                bool
}

// run is everything one benchall invocation measured.
type run struct {
	Started  time.Time       `json:"started"`
	Quick    bool            `json:"quick"`
	Machine  machine         `json:"machine"`
	Timing   timing          `json:"timing"`
	Results  []report.Result `json:"results"`
	Commands []string        `json:"commands"`
	GoBench  string          `json:"go_bench"`
	PageLoad string          `json:"page_load"`
}

func main() {
	quick := flag.Bool("quick", os.Getenv("BENCH_QUICK") == "1", "short runs (also BENCH_QUICK=1)")
	root := flag.String("root", "..", "repository root")
	only := flag.String("servers", "", "comma-separated server names to run (default: all)")
	pick := flag.String("scenarios", "", "comma-separated scenario slugs to run alone (e.g. 1k-x-200-h2): results go to bench/results/<slug>.json and a summary to stderr; run.json and BENCHMARKS.md are left as they are")
	noGoBench := flag.Bool("no-gobench", false, "skip the go test -bench hot-path benchmarks")
	renderOnly := flag.Bool("render-only", false, "only regenerate BENCHMARKS.md from bench/results/run.json")
	flag.Parse()
	var err error
	if *renderOnly {
		err = render(*root)
	} else {
		err = benchAll(*root, *quick, *only, *pick, !*noGoBench)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchall:", err)
		os.Exit(1)
	}
}

func benchAll(root string, quick bool, only, pick string, goBench bool) error {
	root, err := filepath.Abs(root)
	if err != nil {
		return err
	}
	binDir := filepath.Join(root, "bench", "bin")
	resDir := filepath.Join(root, "bench", "results")
	if err := os.MkdirAll(resDir, 0o755); err != nil {
		return err
	}
	if err := build(root, binDir); err != nil {
		return err
	}
	r := &run{Started: time.Now().UTC(), Quick: quick, Machine: describeMachine(),
		Timing: timing{Publish: 10 * time.Second, Drain: 5 * time.Second, Idle: 3 * time.Second}}
	if quick {
		r.Timing = timing{Publish: 3 * time.Second, Drain: 2 * time.Second, Idle: 5 * time.Second, Quick: true}
	}
	var sec *secrets
	for _, sc := range scenarios {
		if pick != "" && !contains(strings.Split(pick, ","), sc.Slug) {
			continue
		}
		var results []report.Result
		add := func(res *report.Result, cmdline string) {
			results = append(results, *res)
			if !contains(r.Commands, cmdline) {
				r.Commands = append(r.Commands, cmdline)
			}
		}
		if len(sc.Variants) > 0 {
			if only != "" && !contains(strings.Split(only, ","), ours) {
				continue
			}
			if sec == nil {
				if sec, err = makeSecrets(binDir); err != nil {
					return err
				}
			}
			for round := 1; round <= max(sc.Rounds, 1); round++ {
				for _, v := range sc.Variants {
					add(runVariant(binDir, sc, v, sec, round, r.Timing))
				}
			}
		}
		for _, s := range servers {
			if len(sc.Variants) > 0 || only != "" && !contains(strings.Split(only, ","), s.Name) || sc.OursOnly && s.Name != ours {
				continue
			}
			res, cmdline, err := runOne(binDir, launchOf(s, sc), sc, r.Timing)
			if err != nil {
				fmt.Fprintf(os.Stderr, "benchall: %s, %s: %v\n", s.Name, sc.Name, err)
				res = &report.Result{Server: s.Name, Scenario: sc.Name, Errors: []string{err.Error()}}
			}
			add(res, cmdline)
		}
		r.Results = append(r.Results, results...)
		if err := writeJSON(filepath.Join(resDir, sc.Slug+".json"), results); err != nil {
			return err
		}
	}
	if pick != "" {
		return report.WriteTable(os.Stderr, r.Results)
	}
	if goBench {
		r.GoBench = runGoBench(root, quick)
		r.PageLoad = runPageLoad(root)
	}
	if err := writeJSON(filepath.Join(resDir, "run.json"), r); err != nil {
		return err
	}
	return writeMarkdown(root, r)
}

// render regenerates BENCHMARKS.md from the last run's results.
func render(root string) error {
	b, err := os.ReadFile(filepath.Join(root, "bench", "results", "run.json"))
	if err != nil {
		return err
	}
	var r run
	if err := json.Unmarshal(b, &r); err != nil {
		return err
	}
	return writeMarkdown(root, &r)
}

// writeMarkdown writes BENCHMARKS.md for r, with bench/analysis.md appended.
func writeMarkdown(root string, r *run) error {
	analysis, _ := os.ReadFile(filepath.Join(root, "bench", "analysis.md"))
	md := renderMarkdown(r, string(analysis))
	return os.WriteFile(filepath.Join(root, "BENCHMARKS.md"), []byte(md), 0o644)
}

// launch is one server to start and how the load generator reads it.
type launch struct {
	server
	Label       string   // the result's server column
	Scheme      string   // of the stream and publish URLs
	LoadgenArgs []string // extra flags of the load generator
	ShownArgs   []string // the same as shown in BENCHMARKS.md (no secrets)
}

// launchOf is how a server is run in scenarios without variants.
func launchOf(s server, sc scenario) launch {
	return launch{server: s, Label: s.Name, Scheme: "http"}
}

// runVariant runs stockstream as v asks for one round of sc.
func runVariant(binDir string, sc scenario, v variant, sec *secrets, round int, t timing) (*report.Result, string) {
	s := servers[0] // stockstream
	s.Args = append(append([]string(nil), s.Args...), v.serverArgs(sec)...)
	l := launch{server: s, Label: v.Label, Scheme: v.scheme(),
		LoadgenArgs: v.loadgenArgs(sec, false), ShownArgs: v.loadgenArgs(sec, true)}
	res, cmdline, err := runOne(binDir, l, sc, t)
	if err != nil {
		fmt.Fprintf(os.Stderr, "benchall: %s, %s: %v\n", v.Label, sc.Name, err)
		res = &report.Result{Server: v.Label, Scenario: sc.Name, Errors: []string{err.Error()}}
	}
	res.Round = round
	return res, cmdline
}

// runOne starts l's server, drives scenario sc against it with the load
// generator and stops it. It returns the result and the generator's
// command line.
func runOne(binDir string, l launch, sc scenario, t timing) (*report.Result, string, error) {
	const addr = "127.0.0.1:18181"
	srv, err := l.start(binDir, addr)
	if err != nil {
		return nil, "", err
	}
	defer srv.stop()
	dur := t.Publish
	switch {
	case sc.Rate == 0:
		dur = t.Idle
		if sc.Hold > 0 && !t.Quick {
			dur = sc.Hold
		}
	case sc.Publish > 0 && !t.Quick:
		dur = sc.Publish
	}
	base := l.Scheme + "://" + addr
	args := []string{
		"--server", l.Label, "--scenario", sc.Name,
		"--stream", base + l.StreamPath,
		"--publish", base + "/api/prices",
		"--conns", strconv.Itoa(sc.Conns), "--rate", strconv.Itoa(sc.Rate),
		"--duration", dur.String(), "--drain", t.Drain.String(),
		"--dialers", strconv.Itoa(sc.Dialers),
	}
	if l.Token != "" {
		args = append(args, "--token", l.Token)
	}
	if sc.Conflate > 0 {
		args = append(args, "--conflate", sc.Conflate.String())
	}
	if sc.Prefill > 0 {
		args = append(args, "--prefill", strconv.Itoa(sc.Prefill))
	}
	if sc.Fill > 0 {
		args = append(args, "--fill", strconv.Itoa(sc.Fill))
	}
	shown := append(append([]string(nil), args...), l.ShownArgs...)
	args = append(args, l.LoadgenArgs...)
	args = append(args, "--pid", strconv.Itoa(srv.cmd.Process.Pid))
	cmdline := "bench/bin/loadgen " + strings.Join(quoteArgs(shown), " ") + " --pid <server pid>"
	ctx, cancel := context.WithTimeout(context.Background(), dur+t.Drain+2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(binDir, "loadgen"), args...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = os.Stderr
	runErr := cmd.Run()
	var res report.Result
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		return nil, cmdline, fmt.Errorf("loadgen: %v (%v)", runErr, err)
	}
	return &res, cmdline, nil
}

// runGoBench runs the hot-path Go benchmarks and returns their output.
func runGoBench(root string, quick bool) string {
	fan, stream := "2000x", "200x"
	if quick {
		fan, stream = "300x", "30x"
	}
	var out bytes.Buffer
	for _, args := range [][]string{
		{"test", "-run", "^$", "-bench", ".", "-benchtime", fan, "./backend/fanout/"},
		{"test", "-run", "^$", "-bench", "StreamWrite", "-benchtime", stream, "./backend/http/"},
	} {
		fmt.Fprintln(os.Stderr, "benchall: go", strings.Join(args, " "))
		fmt.Fprintf(&out, "$ go %s\n", strings.Join(args, " "))
		cmd := exec.Command("go", args...)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "GOWORK="+filepath.Join(root, "go.work"))
		b, err := cmd.CombinedOutput()
		out.Write(b)
		if err != nil {
			fmt.Fprintf(&out, "(failed: %v)\n", err)
		}
	}
	return out.String()
}

// runPageLoad reports app.wasm's sizes on the wire and the time from
// navigation to the first live price in headless Chromium, cold and with
// the service worker, as measured by the browser benchmark.
func runPageLoad(root string) string {
	var out bytes.Buffer
	for _, name := range []string{"app.wasm", "app.wasm.gz", "app.wasm.br"} {
		if fi, err := os.Stat(filepath.Join(root, "backend", "pwa", "web", name)); err == nil {
			fmt.Fprintf(&out, "%-12s %9d bytes\n", name, fi.Size())
		}
	}
	args := []string{"test", "-count=1", "-run", "^$", "-bench", "^BenchmarkFirstLivePrice$", "-benchtime", "3x", "./backend/e2e/"}
	fmt.Fprintln(os.Stderr, "benchall: go", strings.Join(args, " "))
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOWORK="+filepath.Join(root, "go.work"))
	b, err := cmd.CombinedOutput()
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "BenchmarkFirstLivePrice") {
			out.WriteString(line + "\n")
		}
	}
	if err != nil {
		fmt.Fprintf(&out, "(browser measurement failed: %v)\n", err)
	}
	return out.String()
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// quoteArgs quotes the arguments a shell would split.
func quoteArgs(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if strings.ContainsAny(a, " ?&,×*") {
			a = "'" + a + "'"
		}
		out[i] = a
	}
	return out
}

// bySlug returns the scenario with the given slug; it panics on a slug no
// scenario has, a mistake in this program.
func bySlug(slug string) scenario {
	for _, sc := range scenarios {
		if sc.Slug == slug {
			return sc
		}
	}
	panic("benchall: no scenario " + slug)
}

// Command pagebench measures how the dashboard starts, side by side on two
// running servers (this release and the previous one), alternating between
// them, and prints the medians:
//
//   - Lighthouse 12, mobile and desktop presets: performance score and
//     Total Blocking Time;
//   - the first live price, cold (a fresh browser profile) and warm (the
//     next visit, with the HTTP cache, the compiled code and the service
//     worker of the first): the time from navigation start to the first
//     price shown with the stream open, timed in the page;
//   - the longest main-thread task from navigation start until a second
//     after that price, from a Chromium trace, cold and warm: by the wall
//     clock, and by the thread's CPU time, which the load of a shared
//     machine does not stretch;
//   - app.wasm as sent with Accept-Encoding: br.
//
// scripts/bench-page.sh (make bench-page) builds both releases and starts
// them; to run it by hand:
//
//	cd bench && GOWORK=off go run ./cmd/pagebench -this http://127.0.0.1:18481 -prev http://127.0.0.1:18482
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	this := flag.String("this", "", "URL of this release's server")
	prev := flag.String("prev", "", "URL of the previous release's server")
	runs := flag.Int("runs", 3, "runs of each measurement on each server")
	lighthouse := flag.String("lighthouse", "../tools/node_modules/.bin/lighthouse", "the Lighthouse command")
	chromium := flag.String("chromium", "", "Chromium (default: $CHROME_PATH, then /usr/bin/chromium)")
	out := flag.String("o", "", "also write the report, as Markdown, to this file")
	flag.Parse()
	if *this == "" || *prev == "" {
		fmt.Fprintln(os.Stderr, "pagebench: -this and -prev are required")
		os.Exit(2)
	}
	b := bench{runs: *runs, lighthouse: *lighthouse, chromium: findChromium(*chromium)}
	r, err := b.run([]server{{name: "this release", url: *this}, {name: "previous release", url: *prev}})
	if err != nil {
		fmt.Fprintln(os.Stderr, "pagebench:", err)
		os.Exit(1)
	}
	report := r.markdown()
	fmt.Print(report)
	if *out != "" {
		if err := os.MkdirAll(filepath.Dir(*out), 0o755); err == nil {
			err = os.WriteFile(*out, []byte(report), 0o644)
		}
	}
}

// findChromium returns the browser to drive.
func findChromium(flagValue string) string {
	for _, p := range []string{flagValue, os.Getenv("CHROME_PATH"), "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return "chromium"
}

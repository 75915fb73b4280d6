// Command loadgen opens many SSE streams to a server over loopback, publishes
// events at a steady rate through the server's publish API and reports
// deliveries/s, publish→receive latency, losses and the server's memory and
// CPU, as JSON and as a markdown table row.
//
//	loadgen --stream http://127.0.0.1:8080/stocks --publish http://127.0.0.1:8080/api/prices \
//	        --token secret --pid 1234 --conns 1000 --rate 200 --duration 10s
//
// With --conflate 250ms every stream asks for conflation; ids must still
// strictly increase and every stream must end with each symbol's last
// published price. An https --stream with --ca cert.pem opens every stream
// over HTTP/2 on a TLS connection of its own; --stream-token sends a
// subscriber token; --delay 15m opens delayed readers and measures the
// server's memory per reader and per held event instead of deliveries.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"time"

	"github.com/stockstream/stockstream/bench/internal/loadgen"
	"github.com/stockstream/stockstream/bench/internal/report"
)

func main() {
	var cfg loadgen.Config
	var out string
	flag.StringVar(&cfg.Server, "server", "stockstream", "label of the server under test")
	flag.StringVar(&cfg.Scenario, "scenario", "", "label of the scenario (default: <conns>x<rate>/s)")
	flag.StringVar(&cfg.StreamURL, "stream", "http://127.0.0.1:8080/stocks", "SSE stream URL")
	flag.StringVar(&cfg.PublishURL, "publish", "http://127.0.0.1:8080/api/prices", "publish URL (POST, JSON array)")
	flag.StringVar(&cfg.Token, "token", "", "bearer token for the publish URL")
	flag.IntVar(&cfg.PID, "pid", 0, "process id of the server, for RSS and CPU (required)")
	flag.IntVar(&cfg.Conns, "conns", 1000, "streams to open; 0: as many as the open-file limits allow")
	flag.IntVar(&cfg.Rate, "rate", 200, "events published per second; 0: idle streams, memory only")
	flag.DurationVar(&cfg.Duration, "duration", 10*time.Second, "how long to publish or hold idle streams")
	flag.DurationVar(&cfg.Drain, "drain", 5*time.Second, "how long to wait for late deliveries")
	flag.IntVar(&cfg.Sources, "sources", 200, "loopback source addresses (127.0.0.2 …) to spread streams over")
	flag.IntVar(&cfg.Dialers, "dialers", 32, "concurrent connection attempts")
	flag.IntVar(&cfg.BufSize, "buf", 1<<20, "longest line or event a stream may send, in bytes")
	flag.DurationVar(&cfg.Conflate, "conflate", 0, "open streams with conflate=<window> (e.g. 250ms); the check is then that ids strictly increase and every stream ends with each symbol's last published price")
	flag.StringVar(&cfg.CAFile, "ca", "", "PEM certificate to trust for an https --stream: streams then speak HTTP/2 over TLS, one connection each")
	flag.StringVar(&cfg.StreamToken, "stream-token", "", "subscriber token sent as Authorization: Bearer on every stream")
	flag.DurationVar(&cfg.Delay, "delay", 0, "the streams are delayed readers (e.g. 15m): measure the server's memory per reader and per held event; an event that arrives sooner is counted as early")
	flag.IntVar(&cfg.Prefill, "prefill", 0, "events published as fast as the server takes them before the streams open (fills the server's history)")
	flag.IntVar(&cfg.Fill, "fill", 0, "with --delay: events published as fast as the server takes them, twice, after the live feed; the growth of the server's live heap between the two (from --metrics) is what it holds per delayed event")
	flag.StringVar(&cfg.MetricsURL, "metrics", "", "the server's Prometheus metrics URL, for --fill (default: /metrics beside --publish)")
	flag.StringVar(&out, "out", "", "also write the JSON result to this file")
	flag.Parse()
	if cfg.PID <= 0 {
		fmt.Fprintln(os.Stderr, "loadgen: --pid of the server is required")
		os.Exit(2)
	}
	if cfg.MetricsURL == "" {
		if u, err := url.Parse(cfg.PublishURL); err == nil {
			u.Path = "/metrics"
			cfg.MetricsURL = u.String()
		}
	}
	if cfg.Scenario == "" {
		cfg.Scenario = fmt.Sprintf("%dx%d/s", cfg.Conns, cfg.Rate)
		if cfg.Conflate > 0 {
			cfg.Scenario += " conflate=" + cfg.Conflate.String()
		}
	}
	// Every run is bounded: connecting, publishing and draining, plus slack.
	limit := cfg.Duration + cfg.Drain + 2*time.Minute
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()

	res, err := loadgen.Run(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		if res == nil {
			os.Exit(1)
		}
	}
	b, _ := json.MarshalIndent(res, "", "  ")
	fmt.Println(string(b))
	fmt.Fprint(os.Stderr, report.Header+res.Row())
	if out != "" {
		if err := os.WriteFile(out, append(b, '\n'), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "loadgen:", err)
			os.Exit(1)
		}
	}
}

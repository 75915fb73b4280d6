package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
	goredis "github.com/redis/go-redis/v9"

	"github.com/stockstream/stockstream/backend/redis"
	"github.com/stockstream/stockstream/backend/redis/redistest"
	"github.com/stockstream/stockstream/backend/server"
	"github.com/stockstream/stockstream/shared/client"
	"github.com/stockstream/stockstream/shared/stock"
)

// published returns the events published through the server at base, from
// its metrics.
func published(t testing.TB, base string) int {
	t.Helper()
	return metricValue(t, base, "stockstream_events_published_total")
}

// metricValue returns the value of an unlabelled metric of the server at
// base, 0 if it has none.
func metricValue(t testing.TB, base, name string) int {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			n, _ := strconv.ParseFloat(v, 64)
			return int(n)
		}
	}
	return 0
}

// waitPublished waits until the servers at bases published n events in
// all.
func waitPublished(t testing.TB, n int, bases ...string) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		sum := 0
		for _, b := range bases {
			sum += published(t, b)
		}
		if sum >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d events published, want %d", sum, n)
		}
	}
}

const (
	yahooFile = "Date,Open,High,Low,Close,Adj Close,Volume\n2024-01-02,1,1,1,185.63999938964844,1,1\n2024-01-03,1,1,1,null,1,1\n2024-01-04,1,1,1,181.27999877929688,1,1\n"
	longFile  = "symbol,date,price\nMSFT,2024-01-02,370.87\nGOOG,2024-01-03,138.92\nMSFT,2024-01-04,367.94\n"
)

// TestServeReplaysFiles: serve --replay publishes every file once, merged
// by date, stamped with the time of publishing, instead of the simulator.
func TestServeReplaysFiles(t *testing.T) {
	files := writeFile(t, "NVDA.csv", []byte(yahooFile)) + "," + writeFile(t, "long.csv", []byte(longFile))
	before := time.Now().UTC()
	srv := startServe(t, "127.0.0.1:0", "--replay", files, "--replay-speed", "max")
	waitPublished(t, 5, srv.base)
	time.Sleep(100 * time.Millisecond) // nothing more comes: no simulator, no second round
	if n := published(t, srv.base); n != 5 {
		t.Fatalf("%d events published, want the 5 prices of the files", n)
	}
	snap := snapshot(t, srv.base)
	want := map[string]string{"NVDA": "181.28", "MSFT": "367.94", "GOOG": "138.92"}
	for sym, price := range want {
		p, ts, _ := strings.Cut(snap[sym], " ")
		stamped, err := time.Parse(time.RFC3339, ts)
		if p != price || err != nil || stamped.Before(before.Truncate(time.Second)) {
			t.Errorf("%s: %q, want %s stamped now", sym, snap[sym], price)
		}
	}
	if len(snap) != len(want) {
		t.Errorf("snapshot %v: the simulator ran beside the replay", snap)
	}
	for _, want := range []string{"replay: loading ", "replay: loaded ", "NVDA.csv: 2 prices of 1 symbol in ", "1 row skipped", "replay: done"} {
		if !strings.Contains(srv.logs.String(), want) {
			t.Errorf("log lacks %q: %s", want, srv.logs)
		}
	}
}

// TestServeReplayShowsLoadingOnATerminal runs serve --replay on a
// pseudo-terminal: a progress bar while the file loads, before the server
// listens.
func TestServeReplayShowsLoadingOnATerminal(t *testing.T) {
	var b strings.Builder
	b.WriteString("symbol,date,price\n")
	for i := range 50000 {
		fmt.Fprintf(&b, "S%d,2024-01-02T10:%02d:%02dZ,%d.5\n", i%7, i/60%60, i%60, 1+i%100)
	}
	file := writeFile(t, "big.csv", []byte(b.String()))
	cmd := command([]string{"serve", "--addr", "127.0.0.1:0", "--replay", file, "--replay-speed", "max"})
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: 120, Rows: 20})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait(); tty.Close() })
	screen := &syncBuffer{}
	go io.Copy(screen, tty)
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(screen.String(), "listening"); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start:\n%q", screen.String())
		}
	}
	s := screen.String()
	load, listen := strings.Index(s, "\rloading "+file), strings.Index(s, "listening")
	if load < 0 || load > listen || !strings.Contains(s, "% |") || !strings.Contains(s, "replay: loaded "+file+": 50,000 prices of 7 symbols") {
		t.Fatalf("no loading bar before listening:\n%q", s)
	}
}

// TestServeReplaysNewestFirstFiles: a file listed newest first, as
// Nasdaq's, is replayed oldest first.
func TestServeReplaysNewestFirstFiles(t *testing.T) {
	file := writeFile(t, "MSFT.csv", []byte("Date,Close/Last,Volume,Open,High,Low\n01/04/2024,$367.75,1,1,1,1\n01/03/2024,$370.60,1,1,1,1\n01/02/2024,$370.87,1,1,1,1\n"))
	srv := startServe(t, "127.0.0.1:0", "--replay", file, "--replay-speed", "1000000x")
	waitPublished(t, 3, srv.base)
	if got := snapshot(t, srv.base)["MSFT"]; !strings.HasPrefix(got, "367.75 ") {
		t.Fatalf("MSFT ends at %q, want the newest price, 367.75", got)
	}
}

// TestServeReplayLoopsForwardInTime: a looping replay starts over, and the
// timestamps it stamps never go back; --simulator given explicitly runs
// beside it.
func TestServeReplayLoopsForwardInTime(t *testing.T) {
	file := writeFile(t, "loop.csv", []byte("symbol,date,price\nLOOP,2024-01-02T10:00:00Z,1\nLOOP,2024-01-02T10:01:00Z,2\nLOOP,2024-01-02T10:02:00Z,3\n"))
	srv := startServe(t, "127.0.0.1:0", "--replay", file, "--replay-speed", "3000x", "--replay-loop", "--simulator", "--symbols", "SIM", "--interval", "50ms")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var prices []string
	var last time.Time
	sim := false
	for m, err := range client.Subscribe(ctx, srv.base, client.Options{}) {
		if err != nil {
			t.Fatal(err)
		}
		if m.Kind != client.Update {
			continue
		}
		if m.Event.Symbol == "SIM" {
			sim = true
			continue
		}
		if m.Event.Timestamp.Before(last) {
			t.Fatalf("time went back from %v to %v", last, m.Event.Timestamp)
		}
		last = m.Event.Timestamp
		if prices = append(prices, m.Event.Price.String()); len(prices) == 7 && sim {
			break
		}
	}
	// The stream starts somewhere in a round; seven prices span two rounds.
	if s := strings.Join(prices, ","); !strings.Contains(s, "3,1,2,3") && !strings.Contains(s, "1,2,3,1") {
		t.Fatalf("prices %s do not loop", s)
	}
}

func TestServeRefusesBadReplays(t *testing.T) {
	bad := writeFile(t, "bad.csv", []byte("ticker,day,value\n"))
	cases := map[string][]string{
		"--replay: open /nonexistent/x.csv": {"--replay", "/nonexistent/x.csv"},
		"bad.csv:1:1: no date column":       {"--replay", bad},
		`--replay: "-" is not a file name`:  {"--replay", "-"},
		"--replay-loop: give the files":     {"--replay-loop"},
		`--replay-speed: "soon" is not max`: {"--replay", writeFile(t, "ok.csv", []byte(longFile)), "--replay-speed", "soon"},
		"this file has no symbol column":    {"--replay", writeFile(t, "prices_2024.csv", []byte(yahooFile))},
		"half.csv:5:17: invalid price":      {"--replay", writeFile(t, "half.csv", []byte(longFile+"MSFT,2024-01-05,1.2.3\n"))},
		"--replay-tz: \"Atlantis\" is not":  {"--replay", writeFile(t, "tz.csv", []byte(longFile)), "--replay-tz", "Atlantis"},
		"--replay-symbol: invalid symbol":   {"--replay", writeFile(t, "Y.csv", []byte(yahooFile)), "--replay-symbol", "a b"},
	}
	for want, args := range cases {
		var out syncBuffer
		// A server that starts anyway is stopped, not waited for.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		if code := run(ctx, args, noEnv, &out, nil); code != exitUsage || !strings.Contains(out.String(), want) {
			t.Errorf("%v: exit %d, %q; want 2 and %q", args, code, out.String(), want)
		}
		cancel()
	}
}

// TestClusterReplaysOnce: two instances sharing Redis, both started with
// --replay, publish the file once: only the lease holder replays, and it
// keeps the lease after the end so that the other does not start over.
func TestClusterReplaysOnce(t *testing.T) {
	rds := redistest.Start(t)
	file := writeFile(t, "long.csv", []byte(longFile))
	args := []string{"--replay", file, "--replay-speed", "max"}
	a := startInstance(t, rds.URL(0), args...)
	b := startInstance(t, rds.URL(0), args...)
	waitPublished(t, 3, a.base, b.base)
	time.Sleep(2 * server.LeaseTTL) // time for a second replay, were there one
	if n, m := published(t, a.base), published(t, b.base); n+m != 3 {
		t.Fatalf("published %d + %d events, want the file's 3 once", n, m)
	}
	if got := fmt.Sprint(snapshot(t, b.base)["MSFT"]); !strings.HasPrefix(got, "367.94 ") {
		t.Fatalf("MSFT on the other instance: %q", got)
	}
}

// TestClusterReplayThatFailsReleasesItsLease: a replay that stops for good
// (a batch the broker refuses) releases its lease, and the other instance
// takes it and tries the files in turn.
func TestClusterReplayThatFailsReleasesItsLease(t *testing.T) {
	rds := redistest.Start(t)
	// A third symbol past --max-symbols: the broker refuses the batch
	// (every row of the file reads well, so it is loaded at start).
	file := writeFile(t, "three.csv", []byte(longFile+"IBM,2024-01-05,150.1\n"))
	args := []string{"--replay", file, "--replay-speed", "max", "--max-symbols", "2", "--log-level", "info"}
	a := startInstance(t, rds.URL(0), args...)
	b := startInstance(t, rds.URL(0), args...)
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(a.log.String(), "replay: stopped; releasing its lease") ||
		!strings.Contains(b.log.String(), "replay: stopped; releasing its lease") {
		if time.Now().After(deadline) {
			t.Fatalf("both replays did not stop within 30s:\n%s\n%s", a.log, b.log)
		}
		time.Sleep(20 * time.Millisecond) // poll interval
	}
	rdb := goredis.NewClient(&goredis.Options{Addr: rds.Addr()})
	defer rdb.Close()
	if n, err := rdb.Exists(context.Background(), redis.DefaultPrefix+"lease:replay").Result(); err != nil || n != 0 {
		t.Fatalf("the replay's lease is still held (%d, %v) after both replays failed", n, err)
	}
}

// TestClusterSimulatorResumesAfterAnOutage: Redis goes away for longer than
// the simulator's lease; a stream open meanwhile stays open on heartbeats,
// and when Redis is back the simulator publishes again by itself and the
// stream gets its prices.
func TestClusterSimulatorResumesAfterAnOutage(t *testing.T) {
	rds := redistest.StartWith(t, redistest.Config{AppendOnly: true})
	a := startInstance(t, rds.URL(0), "--simulator", "--interval", "50ms", "--symbols", "SIM", "--log-level", "info")
	s := openStream(t, a, "")
	s.updates(t, 3)
	rds.Kill()
	time.Sleep(2 * server.LeaseTTL)
	back := time.Now()
	rds.Restart(t)
	for fresh := 0; fresh < 3; {
		ev := s.next(t)
		var e stock.StockPriceEvent
		if ev.Type == stock.EventUpdate && json.Unmarshal([]byte(ev.Data), &e) == nil && e.Timestamp.After(back) {
			fresh++
		}
	}
	if log := a.log.String(); strings.Count(log, "lease: acquired") < 2 {
		t.Fatalf("the simulator's lease was not taken again:\n%s", log)
	}
}

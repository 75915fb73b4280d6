package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/stockstream/stockstream/shared/stock"
)

// writeFile writes data to name in a temporary directory and returns its
// path.
func writeFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func gzipped(s string) []byte {
	var b bytes.Buffer
	z := gzip.NewWriter(&b)
	z.Write([]byte(s))
	z.Close()
	return b.Bytes()
}

// snapshot returns the server's latest price per symbol.
func snapshot(t testing.TB, base string) map[string]string {
	t.Helper()
	resp, err := http.Get(base + "/api/snapshot")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var evs []stock.StockPriceEvent
	if err := json.NewDecoder(resp.Body).Decode(&evs); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range evs {
		out[e.Symbol] = e.Price.String() + " " + e.Timestamp.Format(time.RFC3339)
	}
	return out
}

// TestPublishEveryFormat publishes a file of each format end to end: the
// server then holds each file's last price per symbol, exactly, with the
// file's timestamps.
func TestPublishEveryFormat(t *testing.T) {
	long := "symbol,date,price\nAAPL,2000-01-03,3.99\nMSFT,Jan 3 2000,58.28\nAAPL,2000-01-04T16:00:00-05:00,3.65\nMSFT,\"Jan 4, 2000\",56.31\n"
	yahoo := "Date,Open,High,Low,Close,Adj Close,Volume\n2024-01-02,187.15,188.44,183.89,185.63999938964844,184.9,82488700\n2024-01-03,null,null,null,null,null,null\n2024-01-04,1,1,1,181.27999877929688,1,1\n"
	ndjson := `{"id":"1","symbol":"GOOG","price":170.1,"timestamp":"2025-06-16T05:31:12.5838771Z"}` + "\n" + `{"id":"2","symbol":"GOOG","price":170.25,"timestamp":"2025-06-16T05:31:13Z"}` + "\n"
	cases := []struct {
		name  string
		file  string
		data  []byte
		extra []string
		want  map[string]string
		sum   []string
	}{
		{"long CSV", "prices.csv", []byte(long), nil,
			map[string]string{"AAPL": "3.65 2000-01-04T21:00:00Z", "MSFT": "56.31 2000-01-04T21:00:00Z"},
			[]string{"published 4 prices of 2 symbols", "timestamps 2000-01-03T21:00:00Z to 2000-01-04T21:00:00Z"}},
		{"Yahoo CSV named after its symbol", "NVDA.csv", []byte(yahoo), nil,
			map[string]string{"NVDA": "181.28 2024-01-04T21:00:00Z"},
			[]string{"published 2 prices of 1 symbol ", "skipped 1 row without a price: 1 no price (null)", "rounded 2 prices"}},
		{"Yahoo CSV, gzip, --symbol", "download.csv.gz", gzipped(yahoo), []string{"--symbol", "TSLA"},
			map[string]string{"TSLA": "181.28 2024-01-04T21:00:00Z"}, []string{"published 2 prices"}},
		{"NDJSON", "recording.ndjson", []byte(ndjson), nil,
			map[string]string{"GOOG": "170.25 2025-06-16T05:31:13Z"}, []string{"published 2 prices of 1 symbol "}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := startServe(t, "127.0.0.1:0", "--simulator=false")
			args := append([]string{"publish", "--to", srv.base, "--token", token}, c.extra...)
			code, out, errOut := runCLI(context.Background(), "", nil, append(args, writeFile(t, c.file, c.data))...)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			for _, s := range c.sum {
				if !strings.Contains(out, s) {
					t.Errorf("summary %q lacks %q", out, s)
				}
			}
			if got := snapshot(t, srv.base); fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Fatalf("snapshot %v, want %v", got, c.want)
			}
		})
	}
}

// TestPublishReadsStandardInputAndEnv: - is standard input, and the
// token and server can come from the environment.
func TestPublishReadsStandardInputAndEnv(t *testing.T) {
	srv := startServe(t, "127.0.0.1:0", "--simulator=false")
	env := map[string]string{"STOCKSTREAM_TO": srv.addr, "STOCKSTREAM_TOKEN": token}
	code, out, errOut := runCLI(context.Background(), "symbol,date,price\nIBM,2001-02-03,99.5\n", env, "publish", "-")
	if code != exitOK || !strings.Contains(out, "published 1 price of") {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	if got := snapshot(t, srv.base)["IBM"]; got != "99.5 2001-02-03T21:00:00Z" {
		t.Fatalf("IBM: %q", got)
	}
}

func TestPublishStopsOnRefusals(t *testing.T) {
	srv := startServe(t, "127.0.0.1:0", "--simulator=false")
	good := writeFile(t, "p.csv", []byte("symbol,date,price\nA,2024-01-02,1\nB,2024-01-02,2\n"))
	future := writeFile(t, "f.csv", []byte("symbol,date,price\nA,2024-01-02,1\nB,2999-01-02,2\n"))
	bad := writeFile(t, "b.csv", []byte("symbol,date,price\nA,2024-01-02,1\nB,2024-01-02,1.2.3\n"))
	notFound := httptest.NewServer(http.NotFoundHandler())
	defer notFound.Close()
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--to", srv.base, "--token", "wrong", good}, "server answered 401 Unauthorized: invalid bearer token"},
		{[]string{"--to", notFound.URL, "--token", token, good}, "server answered 404 Not Found: 404 page not found"},
		{[]string{"--to", srv.base, "--token", token, future}, "f.csv:3: server answered 400 Bad Request: item 1: timestamp 2999-01-02T21:00:00Z is more than 1m0s ahead of the server's clock"},
		{[]string{"--to", srv.base, "--token", token, bad}, "b.csv:3:14: invalid price \"1.2.3\": not a decimal number: want a price such as 185.64, $1,234.56 or 185,64\nstockstream publish: nothing was published\n"},
		{[]string{"--to", srv.base, "--token", token, filepath.Join(t.TempDir(), "missing.csv")}, "missing.csv: no such file"},
		{[]string{"--to", "127.0.0.1:1", "--token", token, "--retry-for", "300ms", good}, "gave up after 300ms of failures (--retry-for)"},
	}
	for _, c := range cases {
		code, _, errOut := runCLI(context.Background(), "", nil, append([]string{"publish"}, c.args...)...)
		if code != exitError || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 1 and %q", c.args, code, errOut, c.want)
		}
	}
	if got := snapshot(t, srv.base); len(got) != 0 {
		t.Errorf("refused files published %v", got)
	}
}

func TestPublishRefusesBadCommandLines(t *testing.T) {
	f := writeFile(t, "p.csv", []byte("symbol,date,price\n"))
	cases := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{f}, nil, "--to: the server's URL is required"},
		{[]string{"--to", "http://", "--token", "t", f}, nil, "--to: \"http://\" is not a URL"},
		{[]string{"--to", "ftp://h", "--token", "t", f}, nil, "--to: \"ftp://h\" is not a URL"},
		{[]string{"--to", "h:1", f}, nil, "--token: the server's publish token is required"},
		{[]string{"--to", "h:1", "--token", "a b", f}, nil, "--token: must not contain whitespace"},
		{[]string{"--to", "h:1", "--token-file", "/nonexistent/t", f}, nil, "--token-file: open /nonexistent/t"},
		{[]string{"--to", "h:1", "--token", "t", "--speed", "fast", f}, nil, `--speed: "fast" is not max or a factor`},
		{[]string{"--to", "h:1", "--token", "t", "--speed", "0x", f}, nil, "--speed"},
		{[]string{"--to", "h:1", "--token", "t"}, nil, "name a price file, or - for standard input"},
		{[]string{"--to", "h:1", "--token", "t", "-", f}, nil, "- (standard input) cannot be given with other files"},
		{[]string{"--to", "h:1", "--token", "t", "--retry-for", "-1s", f}, nil, "--retry-for"},
		{[]string{"--to", "h:1", "--token", "t", "--symbol", "-X", f}, nil, "--symbol: invalid symbol"},
		{[]string{"--to", "h:1", "--token", "t", "--tz", "Mars/Olympus", f}, nil, `--tz: "Mars/Olympus" is not a time zone`},
		{[]string{"--dry-run", "--tz", "", f}, nil, `--tz: "" is not a time zone`},
		{[]string{f}, map[string]string{"STOCKSTREAM_TO": "h:1", "STOCKSTREAM_TOKEN": "t", "STOCKSTREAM_SPEED": "warp"}, `--speed: "warp"`},
		{[]string{f}, map[string]string{"STOCKSTREAM_TO": "h:1", "STOCKSTREAM_TOKEN": "t", "STOCKSTREAM_RETRY_FOR": "later"}, "STOCKSTREAM_RETRY_FOR=\"later\""},
	}
	for _, c := range cases {
		code, _, errOut := runCLI(context.Background(), "", c.env, append([]string{"publish"}, c.args...)...)
		if code != exitUsage || !strings.Contains(errOut, c.want) {
			t.Errorf("%v %v: exit %d, stderr %q; want 2 and %q", c.args, c.env, code, errOut, c.want)
		}
	}
}

// TestPublishShowsProgressOnATerminal runs publish on a pseudo-terminal:
// stderr shows a progress bar redrawn in place, then the summary.
func TestPublishShowsProgressOnATerminal(t *testing.T) {
	srv := startServe(t, "127.0.0.1:0", "--simulator=false", "--log-level", "warn")
	var b strings.Builder
	b.WriteString("symbol,date,price\n")
	for i := 1; i <= 20000; i++ {
		fmt.Fprintf(&b, "P,2024-01-02T00:00:%02dZ,%d\n", i%60, i)
	}
	cmd := command([]string{"publish", "--to", srv.base, "--token", token, writeFile(t, "p.csv", []byte(b.String()))})
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: 100, Rows: 20})
	if err != nil {
		t.Fatal(err)
	}
	defer tty.Close()
	var screen bytes.Buffer
	io.Copy(&screen, tty) // until the command exits and the terminal closes
	if err := cmd.Wait(); err != nil {
		t.Fatalf("%v:\n%q", err, screen.String())
	}
	s := screen.String()
	for _, want := range []string{"\rloading ", "% |", "/s", "\rpublishing", "/20000", "prices/", "\x1b[2K", "loaded "} {
		if !strings.Contains(s, want) {
			t.Fatalf("no %q of a progress bar:\n%q", want, s)
		}
	}
	if !strings.Contains(s, "published 20,000 prices of 1 symbol ") {
		t.Fatalf("no summary:\n%q", s)
	}
}

// TestPublishHelpAndDryRunFromStandardInput: --help states the default
// time zone; a dry run reads standard input and needs no server.
func TestPublishHelpAndDryRunFromStandardInput(t *testing.T) {
	code, _, errOut := runCLI(context.Background(), "", nil, "publish", "--help")
	if code != exitOK || !strings.Contains(errOut, "-tz string") || !strings.Contains(errOut, `(default "America/New_York")`) || !strings.Contains(errOut, "-dry-run") {
		t.Fatalf("publish --help: exit %d, %s", code, errOut)
	}
	yahoo := "Date,Open,High,Low,Close,Adj Close,Volume\n2024-01-02,1,1,1,185.639999,1,1\n"
	code, _, errOut = runCLI(context.Background(), yahoo, nil, "publish", "--dry-run", "-")
	if code != exitError || !strings.Contains(errOut, "<stdin>:1: this file has no symbol column") {
		t.Fatalf("no symbol: exit %d, %s", code, errOut)
	}
	code, out, errOut := runCLI(context.Background(), yahoo, nil, "publish", "--dry-run", "--symbol", "AAPL", "--tz", "UTC", "-")
	if code != exitOK || !strings.Contains(out, "<stdin>: CSV, comma-separated") || !strings.Contains(out, "would publish 1 price of 1 symbol, 2024-01-02T16:00:00Z to 2024-01-02T16:00:00Z") ||
		!strings.Contains(out, "rounded 1 price") || !strings.Contains(errOut, "stockstream publish: loaded <stdin>: 1 price of") {
		t.Fatalf("dry run: exit %d\n%s\n%s", code, out, errOut)
	}
}

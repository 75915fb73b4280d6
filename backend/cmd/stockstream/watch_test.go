package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/stockstream/stockstream/shared/stock"
)

func TestWatchRefusesBadCommandLines(t *testing.T) {
	cases := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"watch", "--symbols", "AA PL"}, nil, "--symbols: invalid symbol"},
		{[]string{"watch", "--symbols", ","}, nil, "--symbols"},
		{[]string{"watch", "--conflate", "5ms"}, nil, "--conflate: 5ms is out of range"},
		{[]string{"watch", "--conflate", "soon"}, nil, "invalid value \"soon\" for flag -conflate"},
		{[]string{"watch", "--from", "-3"}, nil, "--from: \"-3\" is not an event id"},
		{[]string{"watch", "--read-timeout", "0s"}, nil, "--read-timeout: 0s must be positive"},
		{[]string{"watch", "ftp://example.com"}, nil, "URL: server URL \"ftp://example.com\""},
		{[]string{"watch", "http://a", "http://b"}, nil, "one URL at most"},
		{[]string{"watch", "--jsn"}, nil, "flag provided but not defined: -jsn"},
		{[]string{"watch"}, map[string]string{"STOCKSTREAM_JSON": "perhaps"}, "STOCKSTREAM_JSON=\"perhaps\""},
		{[]string{"watch"}, map[string]string{"STOCKSTREAM_SYMBOLS": "A B"}, "--symbols: invalid symbol \"A B\""},
	}
	for _, c := range cases {
		code, out, errOut := runCLI(context.Background(), "", c.env, c.args...)
		if code != exitUsage || out != "" || !strings.Contains(errOut, c.want) || !strings.Contains(errOut, "stockstream watch --help") {
			t.Errorf("%v %v: exit %d, stderr %q; want 2 and %q", c.args, c.env, code, errOut, c.want)
		}
	}
	if code, _, errOut := runCLI(context.Background(), "", nil, "watch", "--help"); code != exitOK || !strings.Contains(errOut, "--json") || !strings.Contains(errOut, "STOCKSTREAM_") {
		t.Errorf("watch --help: exit %d, %q", code, errOut)
	}
}

// TestWatchEndsOnAPermanentRefusal: a 4xx is reported with the server's
// message and exit code 1, not retried for ever.
func TestWatchEndsOnAPermanentRefusal(t *testing.T) {
	srv := startServe(t, "127.0.0.1:0", "--simulator=false")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	code, _, errOut := runCLI(ctx, "", nil, "watch", srv.base+"/api/nothing-here")
	if code != exitError || !strings.Contains(errOut, "404") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
}

// TestWatchJSONThroughAPipe runs watch --json as its own process, reads
// its standard output through a pipe, and restarts the server under it:
// the snapshot comes as one event per symbol, then every update, and the
// reconnect is logged on standard error.
func TestWatchJSONThroughAPipe(t *testing.T) {
	srv := startServe(t, "127.0.0.1:0", "--simulator=false", "--retry", "50ms", "--heartbeat", "200ms")
	postPrices(t, srv.base, `[{"symbol":"AAPL","price":118.88},{"symbol":"MSFT","price":420.27}]`)
	cmd := command([]string{"watch", "--json", srv.base})
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	next := func() stock.StockPriceEvent {
		t.Helper()
		select {
		case l, ok := <-lines:
			var e stock.StockPriceEvent
			if !ok || json.Unmarshal([]byte(l), &e) != nil || e.ID == "" {
				t.Fatalf("line %q (open %v) is not a StockPriceEvent; stderr: %s", l, ok, stderr.String())
			}
			return e
		case <-time.After(20 * time.Second):
			t.Fatalf("no line from watch --json; stderr: %s", stderr.String())
		}
		return stock.StockPriceEvent{}
	}
	if a, m := next(), next(); a.Symbol != "AAPL" || a.Price.String() != "118.88" || m.Symbol != "MSFT" || m.Price.String() != "420.27" {
		t.Fatalf("snapshot lines %+v %+v", a, m)
	}
	postPrices(t, srv.base, centsBody("NUM", 1, 50))
	for i := 1; i <= 50; i++ {
		if e := next(); e.Symbol != "NUM" || e.Price.Micros() != int64(i)*10_000 {
			t.Fatalf("update %d is %+v", i, e)
		}
	}

	srv.stop()
	srv = startServe(t, srv.addr, "--simulator=false", "--retry", "50ms", "--heartbeat", "200ms")
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(stderr.String(), "resumed with a snapshot"); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("watch did not come back to the restarted server; stderr: %s", stderr.String())
		}
	}
	postPrices(t, srv.base, centsBody("NUM", 51, 10))
	for i := 51; i <= 60; i++ {
		if e := next(); e.Symbol != "NUM" || e.Price.Micros() != int64(i)*10_000 {
			t.Fatalf("update %d after the restart is %+v", i, e)
		}
	}
	if !strings.Contains(stderr.String(), "connection lost (EOF); reconnecting") {
		t.Errorf("the reconnect was not logged: %s", stderr.String())
	}
}

// TestWatchPrintsPlainLinesWhenNotATerminal: no table, no escape codes.
func TestWatchPrintsPlainLinesWhenNotATerminal(t *testing.T) {
	srv := startServe(t, "127.0.0.1:0", "--simulator=false")
	postPrices(t, srv.base, `[{"symbol":"AAPL","price":100},{"symbol":"AAPL","price":101.5}]`)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan string, 1)
	var out, errOut syncBuffer
	go func() {
		c := testCLI(strings.NewReader(""), &out, &errOut, noEnv)
		c.run(ctx, []string{"watch", "--symbols", "aapl", srv.addr})
		done <- out.String()
	}()
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(out.String(), "AAPL 101.5"); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("output %q", out.String())
		}
	}
	postPrices(t, srv.base, `[{"symbol":"MSFT","price":1},{"symbol":"AAPL","price":99.25}]`)
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(out.String(), "AAPL 99.25"); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("output %q", out.String())
		}
	}
	cancel()
	got := <-done
	// Change is from the session open the server's snapshot carries: the
	// day's first price, 100.
	if !strings.Contains(got, " AAPL 101.5 +1.50 +1.50%\n") || !strings.Contains(got, " AAPL 99.25 -0.75 -0.75%\n") || strings.Contains(got, "MSFT") || strings.Contains(got, "\x1b") {
		t.Fatalf("output %q", got)
	}
}

// TestWatchTableOnATerminal runs watch on a pseudo-terminal: the table is
// drawn in colour and redrawn in place, and drops columns when the
// terminal narrows; NO_COLOR turns the colours off.
func TestWatchTableOnATerminal(t *testing.T) {
	for _, colour := range []bool{true, false} {
		t.Run(fmt.Sprintf("colour %v", colour), func(t *testing.T) {
			srv := startServe(t, "127.0.0.1:0", "--simulator=false")
			postPrices(t, srv.base, `[{"symbol":"AAPL","price":100},{"symbol":"MSFT","price":400}]`)
			env := []string{"TZ=UTC"}
			if !colour {
				env = append(env, "NO_COLOR=1")
			}
			cmd := command([]string{"watch", srv.base}, env...)
			tty, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: 100, Rows: 20})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait(); tty.Close() })
			screen := &syncBuffer{}
			go io.Copy(screen, tty)
			waitFor := func(what string, ok func(string) bool) {
				t.Helper()
				for deadline := time.Now().Add(20 * time.Second); !ok(screen.String()); time.Sleep(10 * time.Millisecond) {
					if time.Now().After(deadline) {
						t.Fatalf("terminal never showed %s:\n%q", what, screen.String())
					}
				}
			}
			waitFor("the table", func(s string) bool {
				return strings.Contains(s, "SYMBOL") && strings.Contains(s, "TIME") && strings.Contains(s, "live")
			})
			postPrices(t, srv.base, `[{"symbol":"AAPL","price":101},{"symbol":"MSFT","price":390}]`)
			waitFor("the new prices", func(s string) bool { // both rows: the screen arrives in pieces
				up, _ := hasRow(s, "AAPL", "101", "+1.00%", "+1.00")
				down, _ := hasRow(s, "MSFT", "390", "-2.50%", "-10.00")
				return up && down
			})
			s := screen.String()
			_, upColour := hasRow(s, "AAPL", "101", "+1.00%", "+1.00")
			found, downColour := hasRow(s, "MSFT", "390", "-2.50%", "-10.00")
			wantUp, wantDown := "\x1b[32m", "\x1b[31m"
			if !colour {
				wantUp, wantDown = "", ""
			}
			if !found || upColour != wantUp || downColour != wantDown {
				t.Fatalf("rows coloured %q and %q, want %q and %q:\n%q", upColour, downColour, wantUp, wantDown, s)
			}
			if !strings.Contains(s, "\x1b[4A") {
				t.Fatalf("the table is not redrawn in place:\n%q", s)
			}
			screen.Reset()
			pty.Setsize(tty, &pty.Winsize{Cols: 30, Rows: 20})
			postPrices(t, srv.base, `[{"symbol":"AAPL","price":102}]`)
			waitFor("the narrow table", func(s string) bool {
				ok, _ := hasRow(s, "AAPL", "102", "+2.00%")
				return ok
			})
			for _, l := range strings.Split(screen.String(), "\n") {
				if strings.Contains(l, "TIME") || strings.Contains(l, "CHANGE ") {
					t.Fatalf("a 30-column terminal still shows every column: %q", l)
				}
			}
		})
	}
}

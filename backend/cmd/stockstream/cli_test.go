package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stockstream/stockstream/frontend/ui"
	"github.com/stockstream/stockstream/shared/stock"
)

// cliArgsEnv carries the command line of a command the tests run as a child
// process on real pipes or a pseudo-terminal.
const cliArgsEnv = "STOCKSTREAM_TEST_CLI_ARGS"

// command returns a child process running this binary as stockstream with
// args; env adds variables to its environment.
func command(args []string, env ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(append(os.Environ(), cliArgsEnv+"="+strings.Join(args, "\n")), env...)
	return cmd
}

// inProcess is a stockstream server the test runs in-process.
type inProcess struct {
	addr string // host:port
	base string // http://host:port
	logs *syncBuffer
	stop func() // stops it and waits until it has
}

// startServe runs `stockstream serve` in-process on addr (127.0.0.1:0
// for a free port) with a publish token and the given flags; it stops with
// the test.
func startServe(t testing.TB, addr string, args ...string) *inProcess {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &inProcess{logs: &syncBuffer{}}
	ready := make(chan net.Addr, 1)
	exit := make(chan int, 1)
	args = append([]string{"serve", "--addr", addr, "--publish-token", token, "--log-level", "debug"}, args...)
	go func() { exit <- run(ctx, args, noEnv, s.logs, ready) }()
	select {
	case a := <-ready:
		s.addr = a.String()
		s.base = "http://" + s.addr
	case code := <-exit:
		cancel()
		t.Fatalf("serve exited %d:\n%s", code, s.logs)
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not start:\n%s", s.logs)
	}
	stopped := false
	s.stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case <-exit:
		case <-time.After(15 * time.Second):
			t.Errorf("serve did not stop")
		}
	}
	t.Cleanup(func() {
		s.stop()
		if t.Failed() {
			t.Logf("server log:\n%s", s.logs)
		}
	})
	return s
}

// run runs the program in-process on the test's standard input and
// output, as main does on the process's, and returns its exit code; ready,
// if not nil, receives the server's address once it accepts connections.
func run(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer, ready chan<- net.Addr) int {
	c := testCLI(os.Stdin, os.Stdout, stderr, getenv)
	c.ready = ready
	return c.run(ctx, args)
}

// testCLI returns the program on the given streams, its pages rendered
// with those of testPages.
func testCLI(stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) *cli {
	return &cli{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv, routes: testPages.set}
}

// testPages is what the pages of the test process are rendered with: those
// of the server it started last. go-app keeps one table of pages per
// process; TestMain fills it once, with testPages.source.
var testPages pageSource

// pageSource hands a page to the ui.Source set last.
type pageSource struct {
	mu  sync.Mutex
	src ui.Source
}

func (p *pageSource) set(src ui.Source) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.src = src
}

func (p *pageSource) get() ui.Source {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.src
}

// source returns the ui.Source that renders a page with the one set last.
func (p *pageSource) source() ui.Source {
	return ui.Source{
		Latest: func(page *url.URL) []stock.Latest {
			if src := p.get(); src.Latest != nil {
				return src.Latest(page)
			}
			return nil
		},
		Bars: func(page *url.URL, symbol string) []stock.Bar {
			if src := p.get(); src.Bars != nil {
				return src.Bars(page, symbol)
			}
			return nil
		},
	}
}

// runCLI runs a command in-process with stdin and the environment env and
// returns its exit code, standard output and standard error.
func runCLI(ctx context.Context, stdin string, env map[string]string, args ...string) (code int, stdout, stderr string) {
	var out, errOut syncBuffer
	c := testCLI(strings.NewReader(stdin), &out, &errOut, func(k string) string { return env[k] })
	code = c.run(ctx, args)
	return code, out.String(), errOut.String()
}

// postPrices publishes a JSON body to the server at base and returns the
// assigned ids, failing unless it is accepted.
func postPrices(t testing.TB, base, body string) []string {
	t.Helper()
	status, ids := publish(t, base, body)
	if status != http.StatusAccepted {
		t.Fatalf("publish: status %d", status)
	}
	return ids
}

// centsBody is the JSON array of quotes priced from cents to cents+n-1
// for symbol.
func centsBody(symbol string, cents, n int) string {
	var b bytes.Buffer
	b.WriteByte('[')
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		c := cents + i
		fmt.Fprintf(&b, `{"symbol":%q,"price":%d.%02d}`, symbol, c/100, c%100)
	}
	b.WriteByte(']')
	return b.String()
}

// Reset empties the buffer.
func (s *syncBuffer) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b.Reset()
}

// ansiCode matches an ANSI escape sequence.
var ansiCode = regexp.MustCompile("\x1b\\[[0-9;?]*[A-Za-z]")

// hasRow reports whether the screen s has a line, escape codes removed,
// whose first fields are want, and the colour that line was painted with.
func hasRow(s string, want ...string) (found bool, colour string) {
	for _, l := range strings.Split(s, "\n") {
		plain := ansiCode.ReplaceAllString(l, "")
		if f := strings.Fields(plain); len(f) >= len(want) && slices.Equal(f[:len(want)], want) {
			colour = ""
			if i := strings.Index(l, want[0]); i >= 5 && strings.HasPrefix(l[i-5:], "\x1b[3") {
				colour = l[i-5 : i]
			}
			return true, colour
		}
	}
	return false, ""
}

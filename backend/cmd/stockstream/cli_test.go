package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
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

// server is a stockstream server the test runs in-process.
type server struct {
	addr string // host:port
	base string // http://host:port
	logs *syncBuffer
	stop func() // stops it and waits until it has
}

// startServe runs `stockstream serve` in-process on addr (127.0.0.1:0
// for a free port) with a publish token and the given flags; it stops with
// the test.
func startServe(t testing.TB, addr string, args ...string) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{logs: &syncBuffer{}}
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

// runCLI runs a command in-process with stdin and the environment env and
// returns its exit code, standard output and standard error.
func runCLI(ctx context.Context, stdin string, env map[string]string, args ...string) (code int, stdout, stderr string) {
	var out, errOut syncBuffer
	c := &cli{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errOut, getenv: func(k string) string { return env[k] }}
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

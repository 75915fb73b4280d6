// Package redistest starts a real redis-server for tests: on a free loopback
// port, in a temporary directory, without persistence unless asked, killed
// when the test ends; and the parts of the faults a broker must survive:
// snapshots to restart from, replicas, a Sentinel, a relay that makes a
// replica lag. A missing redis-server fails the test with the command that
// installs it; it never skips.
package redistest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// startTimeout bounds how long a redis-server may take to accept
// connections.
const startTimeout = 10 * time.Second

// Server is a running redis-server owned by one test.
type Server struct {
	bin  string
	dir  string
	port int
	args func() []string // the command line after the binary

	mu  sync.Mutex
	cmd *exec.Cmd
}

// Config changes how a Server runs.
type Config struct {
	// AppendOnly keeps an append-only file fsynced at every write, so that
	// a server killed and started again comes back with every write it
	// acknowledged. Without it a killed server comes back with what the
	// last Save or Stop wrote.
	AppendOnly bool
	// ReplicaOf makes the server a replica of the one at this host:port.
	ReplicaOf string
}

// Start starts a redis-server that is killed when tb ends.
func Start(tb testing.TB) *Server { return StartWith(tb, Config{}) }

// StartWith starts a redis-server as c says that is killed when tb ends.
// DEBUG commands (DEBUG SLEEP) are enabled.
func StartWith(tb testing.TB, c Config) *Server {
	tb.Helper()
	s := &Server{bin: Binary(tb), dir: tb.TempDir()}
	s.args = func() []string { return s.serverArgs(c) }
	s.run(tb)
	return s
}

// serverArgs is the command line of a server started as c says.
func (s *Server) serverArgs(c Config) []string {
	args := []string{"--port", strconv.Itoa(s.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no",
		"--dir", s.dir, "--dbfilename", "dump.rdb",
		"--logfile", filepath.Join(s.dir, "redis.log")}
	if c.AppendOnly {
		args = append(args, "--appendonly", "yes", "--appendfsync", "always")
	}
	if host, port, ok := strings.Cut(c.ReplicaOf, ":"); ok {
		args = append(args, "--replicaof", host, port)
	}
	return append(args, debugArgs(s.bin)...)
}

// run starts the server on a free port, retrying on another if it was
// taken meanwhile, and kills it when tb ends.
func (s *Server) run(tb testing.TB) {
	tb.Helper()
	var err error
	for range 3 { // a free port may be taken before redis-server binds it
		if s.port, err = freePort(); err != nil {
			continue
		}
		if err = s.start(); err == nil {
			break
		}
	}
	if err != nil {
		tb.Fatalf("start redis-server: %v", err)
	}
	tb.Cleanup(s.Kill)
}

// debugArgs returns the option that enables DEBUG commands on Redis 7 and
// later (earlier versions allow them and know no such option).
func debugArgs(bin string) []string {
	out, _ := exec.Command(bin, "--version").Output()
	_, v, _ := strings.Cut(string(out), " v=")
	major, _, _ := strings.Cut(v, ".")
	if n, err := strconv.Atoi(major); err == nil && n >= 7 {
		return []string{"--enable-debug-command", "local"}
	}
	return nil
}

// Binary returns the path of redis-server, failing the test when there is
// none.
func Binary(tb testing.TB) string {
	tb.Helper()
	for _, p := range []string{"redis-server", "/usr/bin/redis-server", "/usr/sbin/redis-server", "/usr/local/bin/redis-server"} {
		if bin, err := exec.LookPath(p); err == nil {
			return bin
		}
	}
	tb.Fatal("redis-server not found: run `make test`, which installs it on Debian/Ubuntu as root, " +
		"or install it yourself (`apt-get install redis-server`, `brew install redis`)")
	return ""
}

// Addr returns the server's host:port.
func (s *Server) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)) }

// URL returns the redis:// URL of database db.
func (s *Server) URL(db int) string { return fmt.Sprintf("redis://%s/%d", s.Addr(), db) }

// Kill stops the server at once (SIGKILL), losing what it did not write to
// its directory: with Config.AppendOnly nothing it acknowledged, otherwise
// everything since the last Save. It is safe to call more than once.
func (s *Server) Kill() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Kill()
	s.cmd.Wait()
	s.cmd = nil
}

// Stop shuts the server down after saving its data to its directory, as a
// redis-server with persistence does; Restart then loads it back.
func (s *Server) Stop(tb testing.TB) {
	tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	if err := s.do("SHUTDOWN", "SAVE"); err != nil && !errors.Is(err, goredis.ErrClosed) && !isClosed(err) {
		tb.Logf("redis SHUTDOWN SAVE: %v", err)
	}
	done := make(chan struct{})
	go func() { s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(startTimeout):
		s.cmd.Process.Kill()
		<-done
	}
	s.cmd = nil
}

// Save writes the server's data to its directory (SAVE), for Restart to
// load after a Kill: Redis then comes back with this older snapshot.
func (s *Server) Save(tb testing.TB) {
	tb.Helper()
	if err := s.do("SAVE"); err != nil {
		tb.Fatalf("redis SAVE: %v", err)
	}
}

// Do runs one command on a connection of its own, waiting up to timeout
// for the reply; DEBUG SLEEP needs a timeout longer than its sleep.
func (s *Server) Do(timeout time.Duration, args ...any) (any, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	c := goredis.NewClient(&goredis.Options{Addr: s.Addr(), MaxRetries: -1, DialTimeout: time.Second, ReadTimeout: timeout})
	defer c.Close()
	return c.Do(ctx, args...).Result()
}

// Restart starts the server again on the same port and directory, with the
// data Stop saved.
func (s *Server) Restart(tb testing.TB) {
	tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		tb.Fatal("redistest: Restart of a running server")
	}
	if err := s.start(); err != nil {
		tb.Fatalf("restart redis-server: %v", err)
	}
}

// start runs redis-server and waits until it answers PING.
func (s *Server) start() error {
	cmd := exec.Command(s.bin, s.args()...)
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan struct{})
	go func() { cmd.Process.Wait(); close(exited) }()
	deadline := time.Now().Add(startTimeout)
	for time.Now().Before(deadline) {
		if s.do("PING") == nil {
			s.cmd = cmd
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("redis-server exited: %s", s.logTail())
		case <-time.After(20 * time.Millisecond):
		}
	}
	cmd.Process.Kill()
	return fmt.Errorf("redis-server on port %d did not answer PING in %s", s.port, startTimeout)
}

func (s *Server) logTail() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "redis.log"))
	if len(b) > 500 {
		b = b[len(b)-500:]
	}
	return strings.TrimSpace(string(b))
}

// do sends one command on a connection of its own and waits up to a
// second for the reply.
func (s *Server) do(args ...any) error {
	_, err := s.Do(time.Second, args...)
	return err
}

// isClosed reports whether err is the server closing the connection, as
// SHUTDOWN does instead of replying.
func isClosed(err error) bool {
	return errors.Is(err, io.EOF) || strings.Contains(err.Error(), "reset")
}

// freePort returns a loopback port that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// server is one SSE server under test and how to drive it.
type server struct {
	Name       string
	Binary     string   // in the bin directory
	Args       []string // after --addr
	StreamPath string   // path and query of the stream
	Token      string   // publish bearer token, if any
}

// publishToken is the token stockstream is started with.
const publishToken = "bench-token"

// servers lists stockstream first, then the peers.
var servers = []server{
	{Name: "stockstream", Binary: "stockstream", StreamPath: "/stocks", Token: publishToken,
		Args: []string{"--simulator=false", "--publish-token", publishToken, "--log-level", "error"}},
	{Name: "r3labs/sse", Binary: "r3labs", StreamPath: "/stocks?stream=prices"},
	{Name: "go-sse", Binary: "gosse", StreamPath: "/stocks"},
	{Name: "centrifuge", Binary: "centrifuge", StreamPath: "/stocks"},
	{Name: "mercure", Binary: "mercure", StreamPath: "/stocks?topic=prices"},
}

// running is a started server process.
type running struct {
	cmd  *exec.Cmd
	addr string
}

// start launches s on addr and waits until it accepts connections.
func (s server) start(binDir, addr string) (*running, error) {
	args := append([]string{"--addr", addr}, s.Args...)
	if s.Name != "stockstream" {
		args = append(args, "--lifetime", "5m")
	}
	cmd := exec.Command(filepath.Join(binDir, s.Binary), args...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	r := &running{cmd: cmd, addr: addr}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			time.Sleep(200 * time.Millisecond) // let it finish starting up
			return r, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	r.stop()
	return nil, fmt.Errorf("%s did not listen on %s within 10s", s.Name, addr)
}

// stop sends SIGTERM, then kills the process if it has not exited in 10s.
func (r *running) stop() {
	r.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		r.cmd.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		r.cmd.Process.Kill()
		<-done
	}
}

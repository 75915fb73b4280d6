package main

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stockstream/stockstream/backend/streamtest"
	"github.com/stockstream/stockstream/shared/sse"
)

func noEnv(string) string { return "" }

func TestHelpListsEveryContractFlag(t *testing.T) {
	var out syncBuffer
	if code := run(context.Background(), []string{"--help"}, noEnv, &out, nil); code != 0 {
		t.Fatalf("--help exit %d", code)
	}
	for _, f := range []string{"addr", "simulator", "symbols", "interval", "history", "heartbeat", "retry", "broker", "publish-token", "cors-origins", "tls-cert", "tls-key", "subscribe-key", "subscribe-key-file", "anonymous", "anonymous-delay", "trusted-proxies", "max-conns-per-ip", "STOCKSTREAM_"} {
		if !strings.Contains(out.String(), f) {
			t.Errorf("--help does not mention %s", f)
		}
	}
}

func TestBadValuesNameTheFlag(t *testing.T) {
	cases := map[string][]string{
		"--interval":     {"--interval", "0s"},
		"--history":      {"--history", "-5"},
		"--heartbeat":    {"--heartbeat", "1ns"},
		"--symbols":      {"--symbols", "AAPL,,\nX"},
		"--broker":       {"--broker", "postgres://x"},
		"master_name":    {"--broker", "redis-sentinel://:secret@s1:26379/0"},
		"--max-symbols":  {"--max-symbols", "-1"},
		"--cors-origins": {"--cors-origins", "*"},
		"--tls-cert":     {"--tls-cert", "cert.pem"},
		"no such file":   {"--tls-cert", "/nonexistent/c.pem", "--tls-key", "/nonexistent/k.pem"},
		"--addr":         {"--addr", "8080"},
		"retry":          {"--retry", "soon"},
		"--max-future":   {"--max-future", "0s"},
		"max-future":     {"--max-future", "48h"},
		"simulator":      {"--simulator=maybe"},
		"unexpected":     {"extra"},
	}
	for want, args := range cases {
		var out syncBuffer
		if code := run(context.Background(), args, noEnv, &out, nil); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
		if !strings.Contains(out.String(), want) {
			t.Errorf("%v: error %q does not name %s", args, out.String(), want)
		}
	}
}

// TestRunServesAndShutsDownCleanly starts the whole program, reads the
// simulator's prices from /stocks and stops it as SIGTERM would.
func TestRunServesAndShutsDownCleanly(t *testing.T) {
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	var logs syncBuffer
	ready := make(chan net.Addr, 1)
	exit := make(chan int, 1)
	go func() {
		exit <- run(ctx, []string{"--addr", "127.0.0.1:0", "--interval", "20ms", "--symbols", "AAPL,MSFT", "--seed", "7"}, noEnv, &logs, ready)
	}()
	var addr net.Addr
	select {
	case addr = <-ready:
	case code := <-exit:
		t.Fatalf("exited %d: %s", code, logs.String())
	case <-time.After(30 * time.Second):
		t.Fatal("server did not start")
	}
	reqCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(reqCtx, "GET", "http://"+addr.String()+"/stocks?symbols=MSFT", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	r := sse.NewReader(bufio.NewReader(resp.Body), 1<<16)
	streamtest.ExpectUpdates(t, r, "MSFT", 3)
	start := time.Now()
	stop()
	select {
	case code := <-exit:
		if code != 0 {
			t.Fatalf("exit %d: %s", code, logs.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("did not exit within 10s of the signal")
	}
	for {
		if _, err := r.Next(); err != nil {
			break // the stream ended with the server
		}
	}
	if !strings.Contains(logs.String(), "stopped cleanly") {
		t.Fatalf("logs: %s", logs.String())
	}
	t.Logf("shutdown with an open stream took %s", time.Since(start))
}

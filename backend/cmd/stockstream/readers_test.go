package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stockstream/stockstream/backend/access"
	"github.com/stockstream/stockstream/shared/stock"
)

const subscribeKey = "a-subscriber-key-of-at-least-32-bytes"

// keyFile writes key to a file with a trailing newline, as editors and
// echo leave it, and returns its path.
func keyFile(t *testing.T, key string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "subscribe.key")
	if err := os.WriteFile(p, []byte(key+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// mint runs stockstream token and returns the token it printed.
func mint(t *testing.T, env map[string]string, args ...string) string {
	t.Helper()
	code, out, errOut := runCLI(context.Background(), "", env, append([]string{"token"}, args...)...)
	if code != exitOK || strings.Count(out, "\n") != 1 || !strings.HasSuffix(out, "\n") {
		t.Fatalf("token %v: exit %d, stdout %q, stderr %q; want the token alone on one line", args, code, out, errOut)
	}
	return strings.TrimSuffix(out, "\n")
}

func TestTokenCommand(t *testing.T) {
	start := time.Now()
	for name, c := range map[string]struct {
		env  map[string]string
		args []string
	}{
		"flag": {nil, []string{"--subscribe-key", subscribeKey}},
		"file": {nil, []string{"--subscribe-key-file", keyFile(t, subscribeKey)}},
		"env":  {map[string]string{"STOCKSTREAM_SUBSCRIBE_KEY": subscribeKey}, nil},
	} {
		tok := mint(t, c.env, append(c.args, "--symbols", "aapl,MSFT", "--ttl", "2h")...)
		got, err := access.Verify([]byte(subscribeKey), tok, time.Now())
		if err != nil {
			t.Fatalf("%s: the minted token does not verify: %v", name, err)
		}
		if !slices.Equal(got.Symbols, []string{"AAPL", "MSFT"}) || got.Expires.Before(start.Add(2*time.Hour-time.Second)) || got.Expires.After(time.Now().Add(2*time.Hour)) {
			t.Errorf("%s: %v until %v, want AAPL, MSFT for 2h", name, got.Symbols, got.Expires)
		}
	}
	all := mint(t, nil, "--subscribe-key", subscribeKey, "--symbols", "*")
	if got, err := access.Verify([]byte(subscribeKey), all, time.Now()); err != nil || got.Symbols != nil {
		t.Errorf("--symbols '*': %+v, %v; want every symbol", got, err)
	}
}

func TestTokenCommandRefusesBadCommandLines(t *testing.T) {
	for want, args := range map[string][]string{
		"--subscribe-key":      {"--symbols", "AAPL"},
		"at least 32":          {"--subscribe-key", "short", "--symbols", "AAPL"},
		"--subscribe-key-file": {"--subscribe-key-file", "/nonexistent/key", "--symbols", "AAPL"},
		"--symbols":            {"--subscribe-key", subscribeKey},
		"invalid symbol":       {"--subscribe-key", subscribeKey, "--symbols", "AAPL,a b"},
		"--ttl":                {"--subscribe-key", subscribeKey, "--symbols", "AAPL", "--ttl", "0s"},
	} {
		code, out, errOut := runCLI(context.Background(), "", nil, append([]string{"token"}, args...)...)
		if code != exitUsage || out != "" || !strings.Contains(errOut, want) {
			t.Errorf("token %v: exit %d, stdout %q, stderr %q; want 2 naming %s", args, code, out, errOut, want)
		}
		if strings.Contains(errOut, subscribeKey) {
			t.Errorf("token %v: stderr quotes the key", args)
		}
	}
}

func TestServeRefusesBadAccessFlags(t *testing.T) {
	for want, args := range map[string][]string{
		"--anonymous":         {"--anonymous", "none"},
		"live, delayed":       {"--subscribe-key", subscribeKey, "--anonymous", "maybe"},
		"--anonymous delayed": {"--anonymous", "delayed"},
		"--anonymous-delay":   {"--subscribe-key", subscribeKey, "--anonymous", "delayed", "--anonymous-delay", "0s"},
		"--trusted-proxies":   {"--trusted-proxies", "10.0.0.0/8,proxy.local"},
		"too short":           {"--subscribe-key", "0123456789"},
	} {
		var out syncBuffer
		if code := run(context.Background(), args, noEnv, &out, nil); code != exitUsage || !strings.Contains(out.String(), want) {
			t.Errorf("%v: exit %d, %q; want 2 naming %s", args, code, out.String(), want)
		}
	}
}

// getJSON reads a JSON answer, failing unless it has the status.
func getJSON(t *testing.T, url string, h http.Header, status int, v any) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if h != nil {
		req.Header = h
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != status || json.Unmarshal(body, v) != nil {
		t.Fatalf("GET %s: %d %s, want %d", url, resp.StatusCode, body, status)
	}
}

// TestServeWithSubscriberTokens runs the server with a key file and
// --anonymous none, mints a token with the token command, and reads with
// watch: with the token its symbols, without one or outside them a
// refusal with the server's message.
func TestServeWithSubscriberTokens(t *testing.T) {
	file := keyFile(t, subscribeKey)
	srv := startServe(t, "127.0.0.1:0", "--simulator=false", "--subscribe-key-file", file, "--anonymous", "none")
	postPrices(t, srv.base, `[{"symbol":"AAPL","price":190.5},{"symbol":"MSFT","price":420}]`)
	tok := mint(t, nil, "--subscribe-key-file", file, "--symbols", "AAPL", "--ttl", "1h")

	var session struct {
		Symbols []string
		Delay   float64
		Exp     string
	}
	getJSON(t, srv.base+"/api/session", nil, 200, &session)
	if session.Symbols == nil || len(session.Symbols) != 0 {
		t.Errorf("anonymous session under none: %+v, want no symbols", session)
	}
	getJSON(t, srv.base+"/api/session", http.Header{"Authorization": {"Bearer " + tok}}, 200, &session)
	if !slices.Equal(session.Symbols, []string{"AAPL"}) || session.Exp == "" {
		t.Errorf("token session: %+v", session)
	}
	var latest stock.Latest
	getJSON(t, srv.base+"/api/stocks/AAPL?access_token="+tok, nil, 200, &latest)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	code, _, errOut := runCLI(ctx, "", nil, "watch", "--json", srv.base)
	if code != exitError || !strings.Contains(errOut, "401") || !strings.Contains(errOut, "token is required") {
		t.Errorf("watch without a token: exit %d, %q; want 1 with the server's 401 message", code, errOut)
	}
	code, _, errOut = runCLI(ctx, "", nil, "watch", "--json", "--symbols", "MSFT", "--token", tok, srv.base)
	if code != exitError || !strings.Contains(errOut, "403") || !strings.Contains(errOut, "MSFT") {
		t.Errorf("watch outside the token: exit %d, %q; want 1 with the server's 403 message", code, errOut)
	}

	// STOCKSTREAM_TOKEN gives watch its token; it reads AAPL only.
	wctx, stop := context.WithCancel(ctx)
	var out, werr syncBuffer
	done := make(chan int, 1)
	w := testCLI(strings.NewReader(""), &out, &werr, func(k string) string { return map[string]string{"STOCKSTREAM_TOKEN": tok}[k] })
	go func() { done <- w.run(wctx, []string{"watch", "--json", srv.base}) }()
	for !strings.Contains(out.String(), `"symbol":"AAPL"`) {
		select {
		case code := <-done:
			t.Fatalf("watch with STOCKSTREAM_TOKEN exited %d: %s", code, werr.String())
		case <-time.After(10 * time.Millisecond): // poll interval
		}
	}
	postPrices(t, srv.base, `[{"symbol":"MSFT","price":421},{"symbol":"AAPL","price":191}]`)
	for !strings.Contains(out.String(), `"price":191`) {
		select {
		case code := <-done:
			t.Fatalf("watch exited %d: %s", code, werr.String())
		case <-time.After(10 * time.Millisecond): // poll interval
		}
	}
	stop()
	<-done
	if strings.Contains(out.String(), "MSFT") {
		t.Errorf("watch with an AAPL token printed MSFT:\n%s", out.String())
	}
	if logs := srv.logs.String(); strings.Contains(logs, subscribeKey) || strings.Contains(logs, tok) {
		t.Errorf("the server log holds the key or a token:\n%s", logs)
	}
}

func TestWatchHidesTheAccessTokenOfItsURL(t *testing.T) {
	srv := startServe(t, "127.0.0.1:0", "--simulator=false", "--subscribe-key", subscribeKey, "--anonymous", "none")
	secret := "eyJhbGciOiJIUzI1NiJ9.not-a-real-token.sig"
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	code, _, errOut := runCLI(ctx, "", nil, "watch", "--json", srv.base+"/stocks?access_token="+secret)
	if code != exitError || !strings.Contains(errOut, "401") || strings.Contains(errOut, secret) || !strings.Contains(errOut, "REDACTED") {
		t.Errorf("exit %d, stderr %q; want 1, the 401, and the token redacted", code, errOut)
	}
}

package config_test

import (
	"io"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stockstream/stockstream/backend/access"
	"github.com/stockstream/stockstream/backend/config"
)

const key = "a-subscriber-key-of-at-least-32-bytes"

// TestSubscribeKeyFile: the file's key less one trailing newline (CRLF
// too), and it wins over the flag.
func TestSubscribeKeyFile(t *testing.T) {
	for data, want := range map[string]string{key + "\n": key, key + "\r\n": key, key: key, key + "\n\n": key + "\n"} {
		c, err := config.ParseServe([]string{"--subscribe-key", "another-key-of-at-least-thirty-two-bytes", "--subscribe-key-file", writeFile(t, "key", data)}, noEnv, io.Discard)
		if err != nil || string(c.Readers.Key) != want {
			t.Errorf("file %q: key %q, %v; want %q", data, c.Readers.Key, err, want)
		}
	}
	_, err := config.ParseServe([]string{"--subscribe-key", "short-secret"}, noEnv, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "--subscribe-key: 12 bytes is too short") || strings.Contains(err.Error(), "short-secret") {
		t.Fatalf("a short key: %v; want the length, never the key", err)
	}
}

func TestReadersModes(t *testing.T) {
	for _, c := range []struct {
		args     []string
		mode     access.Mode
		prices   bool
		describe string
	}{
		{[]string{"--subscribe-key", key}, access.Live, true, "token holders their symbols; anonymous callers everything live"},
		{[]string{"--subscribe-key", key, "--anonymous", "delayed", "--anonymous-delay", "5m"}, access.DelayedMode, true, "token holders their symbols live; anonymous callers everything 5m0s late"},
		{[]string{"--subscribe-key", key, "--anonymous", "none"}, access.None, false, "token holders only"},
	} {
		cfg, err := config.ParseServe(c.args, noEnv, io.Discard)
		if err != nil {
			t.Fatalf("%v: %v", c.args, err)
		}
		r := cfg.Readers
		if r.Anonymous != c.mode || r.PagesShowPrices() != c.prices || r.Describe() != c.describe || strings.Contains(r.Describe(), key) {
			t.Errorf("%v: mode %v, pages with prices %v, %q", c.args, r.Anonymous, r.PagesShowPrices(), r.Describe())
		}
		if r.Policy() == nil {
			t.Errorf("%v: no policy", c.args)
		}
	}
	cfg, err := config.ParseServe([]string{"--anonymous-delay", "90s", "--trusted-proxies", "10.0.0.0/8"}, noEnv, io.Discard)
	if err != nil || cfg.Readers.AnonymousDelay != 90*time.Second || !cfg.Readers.TrustedProxies.Trusts(netip.MustParseAddr("10.1.2.3")) {
		t.Fatalf("--anonymous-delay 90s, --trusted-proxies: %+v, %v", cfg.Readers, err)
	}
}

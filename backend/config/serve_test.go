package config_test

import (
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stockstream/stockstream/backend/config"
)

func noEnv(string) string { return "" }

// env returns a getenv of the variables vars.
func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// writeFile writes data to name in a temporary directory and returns its
// path.
func writeFile(t *testing.T, name, data string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestServeDefaultsAreTheContracts checks the defaults of the command-line
// contract and of the limits it names.
func TestServeDefaultsAreTheContracts(t *testing.T) {
	c, err := config.ParseServe(nil, noEnv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":8080" || !c.Simulator || !slices.Equal(c.Symbols, []string{"MSFT", "AAPL", "GOOG", "AMZN"}) ||
		c.Interval != time.Second || c.History != 10000 || c.Heartbeat != 15*time.Second || c.Retry != 3*time.Second ||
		c.Broker != "memory" || c.PublishToken != "" || c.CORSOrigins != nil || c.TLSCert != "" || c.TLSKey != "" {
		t.Errorf("defaults %+v", c)
	}
	if c.MaxConnsPerIP != 256 || c.MaxFuture != time.Minute || c.MaxSymbols != 10000 {
		t.Errorf("--max-conns-per-ip %d, --max-future %s, --max-symbols %d; want 256, 1m and 10000", c.MaxConnsPerIP, c.MaxFuture, c.MaxSymbols)
	}
	if len(c.Readers.Key) != 0 || !c.Readers.PagesShowPrices() || c.Readers.Describe() != "everyone, live" {
		t.Errorf("readers %+v: want everyone reading live", c.Readers)
	}
	c, err = config.ParseServe([]string{"--max-conns-per-ip", "0"}, env(map[string]string{"STOCKSTREAM_MAX_FUTURE": "5s"}), io.Discard)
	if err != nil || c.MaxConnsPerIP != 0 || c.MaxFuture != 5*time.Second {
		t.Fatalf("--max-conns-per-ip 0, STOCKSTREAM_MAX_FUTURE=5s: %+v %v", c, err)
	}
}

func TestBrokerURLs(t *testing.T) {
	c, err := config.ParseServe([]string{"--broker", "redis-sentinel://s1:26379/0?master_name=prices&addr=s2:26379"}, noEnv, io.Discard)
	if err != nil || c.MaxSymbols != 10000 {
		t.Fatalf("a sentinel URL: %v; --max-symbols %d, want 10000 by default", err, c.MaxSymbols)
	}
	_, err = config.ParseServe([]string{"--broker", "redis-sentinel://:secret@s1:26379/0?password=hush"}, noEnv, io.Discard)
	if err == nil || strings.Contains(err.Error(), "secret") || strings.Contains(err.Error(), "hush") {
		t.Fatalf("an error about a URL with passwords: %v, want one without them", err)
	}
	_, err = config.ParseServe([]string{"--broker", "redis://:secret@[::1"}, noEnv, io.Discard)
	if err == nil || strings.Contains(err.Error(), "secret") {
		t.Fatalf("an error about an unparsable URL with a password: %v, want one without it", err)
	}
}

func TestEnvSetsFlagsAndCommandLineWins(t *testing.T) {
	vars := map[string]string{"STOCKSTREAM_HISTORY": "77", "STOCKSTREAM_PUBLISH_TOKEN": "tok", "STOCKSTREAM_SIMULATOR": "false", "STOCKSTREAM_INTERVAL": "5s"}
	c, err := config.ParseServe([]string{"--interval", "2s"}, env(vars), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.History != 77 || c.PublishToken != "tok" || c.Simulator || c.Interval != 2*time.Second {
		t.Fatalf("config %+v", c)
	}
	_, err = config.ParseServe(nil, env(map[string]string{"STOCKSTREAM_HEARTBEAT": "often"}), io.Discard)
	if err == nil || !strings.Contains(err.Error(), "STOCKSTREAM_HEARTBEAT") {
		t.Fatalf("bad env value: %v", err)
	}
}

// TestServeReportsEveryBadFlagAtOnce: each bad value is an error naming
// its flag, all of them together.
func TestServeReportsEveryBadFlagAtOnce(t *testing.T) {
	_, err := config.ParseServe([]string{"--interval", "0s", "--history", "-5", "--cors-origins", "*", "--log-format", "xml", "--queue", "1"}, noEnv, io.Discard)
	for _, want := range []string{"--interval: 0s is too short", "--history: -5 is out of range", "--cors-origins: \"*\" is not an origin", "--log-format: \"xml\"", "--queue: 1 is too small"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
	if _, err := config.ParseServe([]string{"extra"}, noEnv, io.Discard); err == nil || !strings.Contains(err.Error(), `unexpected argument "extra"`) {
		t.Errorf("an argument: %v", err)
	}
}

func TestServeHelp(t *testing.T) {
	var out strings.Builder
	_, err := config.ParseServe([]string{"--help"}, noEnv, &out)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("--help: %v, want flag.ErrHelp", err)
	}
	for _, want := range []string{"Usage: stockstream [serve] [flags]", "STOCKSTREAM_<FLAG>", "-addr string", `(default ":8080")`, "-replay-tz string", "Commands:"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("--help lacks %q:\n%s", want, out.String())
		}
	}
}

func TestPublishTokenFile(t *testing.T) {
	c, err := config.ParseServe([]string{"--publish-token-file", writeFile(t, "token", "  tok-en\n")}, noEnv, io.Discard)
	if err != nil || c.PublishToken != "tok-en" {
		t.Fatalf("token %q, %v; want the file's token without spaces", c.PublishToken, err)
	}
	if _, err := config.ParseServe([]string{"--publish-token", "a b"}, noEnv, io.Discard); err == nil || !strings.Contains(err.Error(), "--publish-token: must not contain whitespace") {
		t.Fatalf("a token with a space: %v", err)
	}
}

// TestReplayReplacesTheSimulator: files to replay turn the simulator off,
// unless --simulator is given, on the command line or in the environment.
func TestReplayReplacesTheSimulator(t *testing.T) {
	file := writeFile(t, "p.csv", "symbol,date,price\nA,2024-01-02,1\n")
	for _, c := range []struct {
		args []string
		vars map[string]string
		sim  bool
	}{
		{[]string{"--replay", file}, nil, false},
		{[]string{"--replay", file, "--simulator"}, nil, true},
		{nil, map[string]string{"STOCKSTREAM_REPLAY": file, "STOCKSTREAM_SIMULATOR": "true"}, true},
		{nil, map[string]string{"STOCKSTREAM_REPLAY": file}, false},
	} {
		cfg, err := config.ParseServe(c.args, env(c.vars), io.Discard)
		if err != nil || cfg.Simulator != c.sim || !slices.Equal(cfg.Replay.Files, []string{file}) {
			t.Errorf("%v %v: simulator %v, files %v, %v; want simulator %v", c.args, c.vars, cfg.Simulator, cfg.Replay.Files, err, c.sim)
		}
	}
}

func TestReplayFlags(t *testing.T) {
	file := writeFile(t, "p.csv", "Date,Open,High,Low,Close,Adj Close,Volume\n2024-01-02,1,1,1,2,3,1\n")
	c, err := config.ParseServe([]string{"--replay", " " + file + " ", "--replay-speed", "60x", "--replay-loop", "--replay-tz", "UTC", "--replay-adjusted", "--replay-symbol", "x"}, noEnv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	r := c.Replay
	if !slices.Equal(r.Files, []string{file}) || r.Speed != 60 || !r.Loop || r.Read.Location != time.UTC || !r.Read.Adjusted || r.Read.Symbol != "x" {
		t.Fatalf("replay %+v", r)
	}
	_, err = config.ParseServe([]string{"--replay", file + ",,-", "--replay-speed", "soon"}, noEnv, io.Discard)
	for _, want := range []string{`--replay-speed: "soon"`, `--replay: "" is not a file name`, `--replay: "-" is not a file name`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
}

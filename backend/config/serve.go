package config

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/stockstream/stockstream/backend/cmdline"
	"github.com/stockstream/stockstream/backend/redact"
	"github.com/stockstream/stockstream/shared/pricefile"
	"github.com/stockstream/stockstream/shared/stock"
)

// Serve is the configuration of the server (stockstream serve).
type Serve struct {
	Addr          string // listen address, host:port
	Simulator     bool
	Symbols       []string // the simulator's
	Interval      time.Duration
	Seed          uint64 // the simulator's; 0: a random one
	History       int    // events kept for Last-Event-ID replay
	Heartbeat     time.Duration
	Retry         time.Duration
	Broker        string // "memory", or a redis:// or redis-sentinel:// URL
	PublishToken  string // empty: publishing is off
	CORSOrigins   []string
	TLSCert       string // with TLSKey: serve HTTPS with HTTP/2
	TLSKey        string
	MaxConns      int // open streams in all; 0: no limit
	MaxConnsPerIP int // open streams per client; 0: no limit
	MaxSymbols    int // distinct symbols the broker holds; 0: no limit
	MaxFuture     time.Duration
	Queue         int // events a subscriber may fall behind
	MaxReplay     int // events a resume may replay; 0: no bound
	LogLevel      string
	LogFormat     string
	Replay        Replay
	Readers       Readers
}

// ParseServe reads serve's flags from args and, for flags not given, from
// STOCKSTREAM_* variables found by getenv; its usage text goes to out.
// Errors name the flag and why; --help is flag.ErrHelp.
func ParseServe(args []string, getenv func(string) string, out io.Writer) (*Serve, error) {
	fs := cmdline.NewFlagSet("stockstream", "[serve] [flags]", "Serves live stock prices over Server-Sent Events at /stocks and the dashboard at /.", out)
	var c Serve
	var symbols, cors, tokenFile string
	var replay replayFlags
	var readers readersFlags
	fs.StringVar(&c.Addr, "addr", ":8080", "listen address")
	fs.BoolVar(&c.Simulator, "simulator", true, "run the built-in price simulator")
	fs.StringVar(&symbols, "symbols", "MSFT,AAPL,GOOG,AMZN", "simulator symbols, comma-separated")
	fs.DurationVar(&c.Interval, "interval", time.Second, "simulator tick")
	fs.Uint64Var(&c.Seed, "seed", 0, "simulator random seed (0: a random one)")
	fs.IntVar(&c.History, "history", 10000, "events kept for Last-Event-ID replay")
	fs.DurationVar(&c.Heartbeat, "heartbeat", 15*time.Second, "comment keep-alive after this much silence on a stream")
	fs.DurationVar(&c.Retry, "retry", 3*time.Second, "reconnect delay sent to clients in retry:")
	fs.StringVar(&c.Broker, "broker", "memory", "memory, or redis://host:port/db to scale out across instances")
	fs.StringVar(&c.PublishToken, "publish-token", "", "bearer token for POST /api/prices; empty disables publishing")
	fs.StringVar(&tokenFile, "publish-token-file", "", "read the publish token from this file")
	fs.StringVar(&cors, "cors-origins", "", "allowed origins for the API and stream, comma-separated; empty: same origin only")
	fs.StringVar(&c.TLSCert, "tls-cert", "", "TLS certificate file: serve HTTPS with HTTP/2")
	fs.StringVar(&c.TLSKey, "tls-key", "", "TLS private key file")
	fs.IntVar(&c.MaxConns, "max-conns", 50000, "open streams allowed in all (0: no limit)")
	fs.IntVar(&c.MaxConnsPerIP, "max-conns-per-ip", 256, "open streams allowed per client address (0: no limit)")
	fs.IntVar(&c.MaxSymbols, "max-symbols", 10000, "distinct symbols the broker holds (0: no limit); a publish that would add one past it is refused with 422")
	fs.DurationVar(&c.MaxFuture, "max-future", time.Minute, "how far ahead of the server's clock a published timestamp may be")
	fs.IntVar(&c.Queue, "queue", 4096, "events a subscriber may fall behind before it is cut as too slow (at least --history are held anyway)")
	fs.IntVar(&c.MaxReplay, "max-replay", 10000, "events a resume may replay; a longer gap opens with a snapshot (0: no bound)")
	fs.StringVar(&c.LogLevel, "log-level", "info", "debug, info, warn or error")
	fs.StringVar(&c.LogFormat, "log-format", "text", "text or json")
	replay.define(fs, &c.Replay)
	readers.define(fs)
	rest, err := cmdline.Parse(fs, args, getenv)
	if err != nil {
		return nil, err
	}
	if len(rest) > 0 {
		return nil, fmt.Errorf("unexpected argument %q: flags start with --", rest[0])
	}
	if replay.files != "" && !cmdline.Given(fs, "simulator") {
		c.Simulator = false // the files replace the simulator unless both are asked for
	}
	return &c, errors.Join(c.finish(symbols, cors, tokenFile), replay.finish(&c.Replay), readers.finish(&c.Readers))
}

// finish validates the values and derives the list-valued ones.
func (c *Serve) finish(symbols, cors, tokenFile string) error {
	var errs []error
	bad := func(flag, format string, a ...any) {
		errs = append(errs, fmt.Errorf("--%s: %s", flag, fmt.Sprintf(format, a...)))
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		bad("addr", "%q is not host:port (e.g. :8080)", c.Addr)
	}
	syms, err := stock.ParseSymbolList(symbols, 10000)
	if err != nil {
		bad("symbols", "%v", err)
	}
	c.Symbols = syms
	if c.Interval < time.Millisecond {
		bad("interval", "%s is too short: at least 1ms", c.Interval)
	}
	if c.History < 1 || c.History > 10_000_000 {
		bad("history", "%d is out of range 1..10000000", c.History)
	}
	if c.Heartbeat < 100*time.Millisecond {
		bad("heartbeat", "%s is too short: at least 100ms", c.Heartbeat)
	}
	if c.Retry < 0 || c.Retry > time.Hour {
		bad("retry", "%s is out of range 0..1h", c.Retry)
	}
	if err := checkBrokerURL(c.Broker); err != nil {
		bad("broker", "%v", err)
	}
	if tokenFile != "" {
		b, err := os.ReadFile(tokenFile)
		if err != nil {
			bad("publish-token-file", "%v", err)
		}
		c.PublishToken = strings.TrimSpace(string(b))
	}
	if strings.ContainsAny(c.PublishToken, " \t\r\n") {
		bad("publish-token", "must not contain whitespace")
	}
	c.CORSOrigins, err = parseOrigins(cors)
	if err != nil {
		bad("cors-origins", "%v", err)
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		bad("tls-cert", "--tls-cert and --tls-key go together")
	} else if c.TLSCert != "" {
		if _, err := tls.LoadX509KeyPair(c.TLSCert, c.TLSKey); err != nil {
			bad("tls-cert", "%v", err)
		}
	}
	if c.MaxConns < 0 || c.MaxConnsPerIP < 0 {
		bad("max-conns", "limits must not be negative")
	}
	if c.MaxSymbols < 0 {
		bad("max-symbols", "%d must not be negative", c.MaxSymbols)
	}
	if c.MaxFuture < time.Second || c.MaxFuture > 24*time.Hour {
		bad("max-future", "%s is out of range 1s..24h", c.MaxFuture)
	}
	if c.MaxReplay < 0 {
		bad("max-replay", "%d must not be negative", c.MaxReplay)
	}
	if c.Queue < 16 {
		bad("queue", "%d is too small: at least 16", c.Queue)
	}
	if !slices.Contains([]string{"debug", "info", "warn", "error"}, c.LogLevel) {
		bad("log-level", "%q is not debug, info, warn or error", c.LogLevel)
	}
	if !slices.Contains([]string{"text", "json"}, c.LogFormat) {
		bad("log-format", "%q is not text or json", c.LogFormat)
	}
	return errors.Join(errs...)
}

// checkBrokerURL accepts "memory", a redis:// URL or a redis-sentinel://
// URL (rediss and rediss-sentinel for TLS). Its errors never show a
// password: the URL is redacted, or not shown if it does not parse.
func checkBrokerURL(s string) error {
	if s == "memory" {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil {
		return errors.New("neither memory, a redis://host:port/db nor a redis-sentinel:// URL (not shown: it may hold a password)")
	}
	if !slices.Contains([]string{"redis", "rediss", "redis-sentinel", "rediss-sentinel"}, u.Scheme) || u.Host == "" {
		return fmt.Errorf("%q is neither memory, redis://host:port/db nor redis-sentinel://host:port/db?master_name=NAME", redact.URL(s))
	}
	if strings.HasSuffix(u.Scheme, "-sentinel") && u.Query().Get("master_name") == "" {
		return fmt.Errorf("%q names Sentinels but no master: add ?master_name=NAME", redact.URL(s))
	}
	return nil
}

// parseOrigins parses the CORS allowlist: exact origins such as
// https://example.com, never "*".
func parseOrigins(s string) ([]string, error) {
	var out []string
	for _, o := range strings.Split(s, ",") {
		o = strings.TrimSpace(o)
		if o == "" {
			continue
		}
		u, err := url.Parse(o)
		if o == "*" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
			return nil, fmt.Errorf("%q is not an origin like https://example.com (no wildcard, no path)", o)
		}
		out = append(out, u.Scheme+"://"+u.Host)
	}
	return out, nil
}

// checkPriceFile opens a price file and reads its header, so that a wrong
// file is refused as the command line is read, before the file is loaded.
func checkPriceFile(name string, opt pricefile.Options) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = pricefile.Open(f, name, opt)
	return err
}

package main

import (
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/stockstream/stockstream/backend/access"
	"github.com/stockstream/stockstream/backend/clientip"
	"github.com/stockstream/stockstream/backend/feed"
	"github.com/stockstream/stockstream/shared/pricefile"
	"github.com/stockstream/stockstream/shared/stock"
)

// envPrefix starts the environment variable of every flag:
// --publish-token is STOCKSTREAM_PUBLISH_TOKEN.
const envPrefix = "STOCKSTREAM_"

// config is the command line, after validation.
type config struct {
	addr         string
	simulator    bool
	symbols      []string
	interval     time.Duration
	seed         uint64
	history      int
	heartbeat    time.Duration
	retry        time.Duration
	broker       string
	publishToken string
	corsOrigins  []string
	tlsCert      string
	tlsKey       string
	maxConns     int
	maxConnsIP   int
	maxSymbols   int
	maxFuture    time.Duration
	queue        int
	maxReplay    int
	logLevel     string
	logFormat    string
	replay       replayConfig
	readers      readersConfig
}

// readersConfig says who may read: the subscriber key, what callers
// without a token get, and the proxies believed about who the client is.
type readersConfig struct {
	key            []byte // empty: everyone reads everything live
	anonymous      access.Mode
	anonymousDelay time.Duration
	trustedProxies clientip.Proxies
}

// policy returns the access policy of the configuration.
func (r readersConfig) policy() *access.Policy {
	return access.New(access.Config{Key: r.key, Anonymous: r.anonymous, Delay: r.anonymousDelay})
}

// replayConfig is what serve --replay publishes.
type replayConfig struct {
	files  []string
	speed  feed.Speed
	loop   bool
	read   pricefile.Options
	loaded []*pricefile.File // by loadReplay
}

// parseConfig reads flags from args and, for flags not given, from
// STOCKSTREAM_* variables found by getenv. Errors name the flag and why.
func parseConfig(args []string, getenv func(string) string, out io.Writer) (*config, error) {
	fs := flag.NewFlagSet("stockstream", flag.ContinueOnError)
	fs.SetOutput(out)
	var c config
	var symbols, cors, tokenFile, replay, speed, replayTZ string
	var readers readersFlags
	fs.StringVar(&c.addr, "addr", ":8080", "listen address")
	fs.BoolVar(&c.simulator, "simulator", true, "run the built-in price simulator")
	fs.StringVar(&symbols, "symbols", "MSFT,AAPL,GOOG,AMZN", "simulator symbols, comma-separated")
	fs.DurationVar(&c.interval, "interval", time.Second, "simulator tick")
	fs.Uint64Var(&c.seed, "seed", 0, "simulator random seed (0: a random one)")
	fs.IntVar(&c.history, "history", 10000, "events kept for Last-Event-ID replay")
	fs.DurationVar(&c.heartbeat, "heartbeat", 15*time.Second, "comment keep-alive after this much silence on a stream")
	fs.DurationVar(&c.retry, "retry", 3*time.Second, "reconnect delay sent to clients in retry:")
	fs.StringVar(&c.broker, "broker", "memory", "memory, or redis://host:port/db to scale out across instances")
	fs.StringVar(&c.publishToken, "publish-token", "", "bearer token for POST /api/prices; empty disables publishing")
	fs.StringVar(&tokenFile, "publish-token-file", "", "read the publish token from this file")
	fs.StringVar(&cors, "cors-origins", "", "allowed origins for the API and stream, comma-separated; empty: same origin only")
	fs.StringVar(&c.tlsCert, "tls-cert", "", "TLS certificate file: serve HTTPS with HTTP/2")
	fs.StringVar(&c.tlsKey, "tls-key", "", "TLS private key file")
	fs.IntVar(&c.maxConns, "max-conns", 50000, "open streams allowed in all (0: no limit)")
	fs.IntVar(&c.maxConnsIP, "max-conns-per-ip", 256, "open streams allowed per client address (0: no limit)")
	fs.IntVar(&c.maxSymbols, "max-symbols", 10000, "distinct symbols the broker holds (0: no limit); a publish that would add one past it is refused with 422")
	fs.DurationVar(&c.maxFuture, "max-future", time.Minute, "how far ahead of the server's clock a published timestamp may be")
	fs.IntVar(&c.queue, "queue", 4096, "events a subscriber may fall behind before it is cut as too slow (at least --history are held anyway)")
	fs.IntVar(&c.maxReplay, "max-replay", 10000, "events a resume may replay; a longer gap opens with a snapshot (0: no bound)")
	fs.StringVar(&c.logLevel, "log-level", "info", "debug, info, warn or error")
	fs.StringVar(&c.logFormat, "log-format", "text", "text or json")
	fs.StringVar(&replay, "replay", "", "price files to publish from the server, comma-separated (CSV as the common sources write it, or NDJSON; - is not allowed); turns the simulator off unless --simulator is given")
	fs.StringVar(&speed, "replay-speed", "1x", "replay pace against the files' timestamps: a factor such as 60x, or max")
	fs.BoolVar(&c.replay.loop, "replay-loop", false, "start the files over after their last price, forever")
	fs.StringVar(&c.replay.read.Symbol, "replay-symbol", "", "symbol of files without a symbol column (default: each file's name, as in AAPL.csv)")
	fs.BoolVar(&c.replay.read.Adjusted, "replay-adjusted", false, "replay the adjusted close (Adj Close, adjusted_close) instead of the close")
	fs.StringVar(&replayTZ, "replay-tz", pricefile.DefaultTimeZone, "time zone of the files' times written without one; a date alone is 16:00 there")
	readers.define(fs)
	fs.Usage = usage(fs, "[serve] [flags]", "Serves live stock prices over Server-Sent Events at /stocks and the dashboard at /.")
	rest, err := parseFlags(fs, args, getenv)
	if err != nil {
		return nil, err
	}
	if len(rest) > 0 {
		return nil, fmt.Errorf("unexpected argument %q: flags start with --", rest[0])
	}
	simulatorGiven := false
	fs.Visit(func(f *flag.Flag) { simulatorGiven = simulatorGiven || f.Name == "simulator" })
	if replay != "" && !simulatorGiven {
		c.simulator = false // the files replace the simulator unless both are asked for
	}
	return &c, errors.Join(c.finish(symbols, cors, tokenFile), c.replay.finish(replay, speed, replayTZ), readers.finish(&c.readers))
}

// finish validates the replay flags: every file must open and have a
// header this program reads.
func (r *replayConfig) finish(files, speed, tz string) error {
	var errs []error
	var err error
	if r.speed, err = feed.ParseSpeed(speed); err != nil {
		errs = append(errs, fmt.Errorf("--replay-speed: %v", err))
	}
	if r.read.Location, err = time.LoadLocation(tz); err != nil || tz == "" {
		return fmt.Errorf("--replay-tz: %q is not a time zone such as America/New_York or UTC", tz)
	}
	if r.read.Symbol != "" {
		if _, err := stock.ParseSymbol(r.read.Symbol); err != nil {
			return fmt.Errorf("--replay-symbol: %v", err)
		}
	}
	if r.loop && files == "" {
		errs = append(errs, errors.New("--replay-loop: give the files with --replay"))
	}
	if files == "" {
		return errors.Join(errs...)
	}
	for _, f := range strings.Split(files, ",") {
		if f = strings.TrimSpace(f); f == "" || f == "-" {
			errs = append(errs, fmt.Errorf("--replay: %q is not a file name", f))
			continue
		}
		r.files = append(r.files, f)
		if err := checkPriceFile(f, r.read); err != nil {
			errs = append(errs, fmt.Errorf("--replay: %w", err))
		}
	}
	return errors.Join(errs...)
}

// usage returns a flag set's usage function: what the command does, the
// environment rule, its flags and the list of commands.
func usage(fs *flag.FlagSet, synopsis, what string) func() {
	return func() {
		fmt.Fprintf(fs.Output(), "Usage: stockstream %s\n\n%s\nEvery flag can also be set as %s<FLAG> (upper case, - as _); the command line wins.\n\nFlags:\n", synopsis, what, envPrefix)
		fs.PrintDefaults()
		fmt.Fprintf(fs.Output(), "\n%s", commandList)
	}
}

// parseFlags parses args, flags and arguments in any order, then sets the
// flags not given from the environment. It returns the arguments.
func parseFlags(fs *flag.FlagSet, args []string, getenv func(string) string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if args = fs.Args(); len(args) == 0 {
			break
		}
		rest, args = append(rest, args[0]), args[1:]
	}
	return rest, applyEnv(fs, getenv)
}

// envName returns the variable that sets flag name.
func envName(name string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

// applyEnv sets every flag not given on the command line from its
// environment variable, if set.
func applyEnv(fs *flag.FlagSet, getenv func(string) string) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		v := getenv(envName(f.Name))
		if given[f.Name] || v == "" {
			return
		}
		if err := fs.Set(f.Name, v); err != nil {
			errs = append(errs, fmt.Errorf("%s=%q: %v", envName(f.Name), v, err))
		}
	})
	return errors.Join(errs...)
}

// finish validates the values and derives the list-valued ones.
func (c *config) finish(symbols, cors, tokenFile string) error {
	var errs []error
	bad := func(flag, format string, a ...any) {
		errs = append(errs, fmt.Errorf("--%s: %s", flag, fmt.Sprintf(format, a...)))
	}
	if _, _, err := net.SplitHostPort(c.addr); err != nil {
		bad("addr", "%q is not host:port (e.g. :8080)", c.addr)
	}
	syms, err := stock.ParseSymbolList(symbols, 10000)
	if err != nil {
		bad("symbols", "%v", err)
	}
	c.symbols = syms
	if c.interval < time.Millisecond {
		bad("interval", "%s is too short: at least 1ms", c.interval)
	}
	if c.history < 1 || c.history > 10_000_000 {
		bad("history", "%d is out of range 1..10000000", c.history)
	}
	if c.heartbeat < 100*time.Millisecond {
		bad("heartbeat", "%s is too short: at least 100ms", c.heartbeat)
	}
	if c.retry < 0 || c.retry > time.Hour {
		bad("retry", "%s is out of range 0..1h", c.retry)
	}
	if err := checkBrokerURL(c.broker); err != nil {
		bad("broker", "%v", err)
	}
	if tokenFile != "" {
		b, err := os.ReadFile(tokenFile)
		if err != nil {
			bad("publish-token-file", "%v", err)
		}
		c.publishToken = strings.TrimSpace(string(b))
	}
	if strings.ContainsAny(c.publishToken, " \t\r\n") {
		bad("publish-token", "must not contain whitespace")
	}
	c.corsOrigins, err = parseOrigins(cors)
	if err != nil {
		bad("cors-origins", "%v", err)
	}
	if (c.tlsCert == "") != (c.tlsKey == "") {
		bad("tls-cert", "--tls-cert and --tls-key go together")
	} else if c.tlsCert != "" {
		if _, err := tls.LoadX509KeyPair(c.tlsCert, c.tlsKey); err != nil {
			bad("tls-cert", "%v", err)
		}
	}
	if c.maxConns < 0 || c.maxConnsIP < 0 {
		bad("max-conns", "limits must not be negative")
	}
	if c.maxSymbols < 0 {
		bad("max-symbols", "%d must not be negative", c.maxSymbols)
	}
	if c.maxFuture < time.Second || c.maxFuture > 24*time.Hour {
		bad("max-future", "%s is out of range 1s..24h", c.maxFuture)
	}
	if c.maxReplay < 0 {
		bad("max-replay", "%d must not be negative", c.maxReplay)
	}
	if c.queue < 16 {
		bad("queue", "%d is too small: at least 16", c.queue)
	}
	if !slices.Contains([]string{"debug", "info", "warn", "error"}, c.logLevel) {
		bad("log-level", "%q is not debug, info, warn or error", c.logLevel)
	}
	if !slices.Contains([]string{"text", "json"}, c.logFormat) {
		bad("log-format", "%q is not text or json", c.logFormat)
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
		return fmt.Errorf("%q is neither memory, redis://host:port/db nor redis-sentinel://host:port/db?master_name=NAME", redactedURL(s))
	}
	if strings.HasSuffix(u.Scheme, "-sentinel") && u.Query().Get("master_name") == "" {
		return fmt.Errorf("%q names Sentinels but no master: add ?master_name=NAME", redactedURL(s))
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

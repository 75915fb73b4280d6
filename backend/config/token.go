package config

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/stockstream/stockstream/backend/access"
	"github.com/stockstream/stockstream/backend/cmdline"
	"github.com/stockstream/stockstream/shared/stock"
)

// MaxTokenTTL bounds token --ttl.
const MaxTokenTTL = 10 * 365 * 24 * time.Hour

// Token is the configuration of stockstream token: the token to mint.
type Token struct {
	Key     []byte   // the server's subscriber key
	Symbols []string // the symbols granted; [access.AllSymbols] for all
	TTL     time.Duration
}

// ParseToken reads token's command line, as ParseServe does serve's. The
// key comes from --subscribe-key, --subscribe-key-file or their variables,
// as the server reads it; no error quotes it.
func ParseToken(args []string, getenv func(string) string, out io.Writer) (*Token, error) {
	fs := cmdline.NewFlagSet("stockstream token", "token --symbols A,B [--ttl 1h] [flags]",
		"Prints a subscriber token (an HS256 JWT signed with the server's --subscribe-key) that lets\nits holder read the symbols for --ttl, alone on one line.", out)
	var t Token
	var key keyFlags
	var symbols string
	key.define(fs)
	fs.StringVar(&symbols, "symbols", "", `symbols the token grants, comma-separated, or * for every symbol (required)`)
	fs.DurationVar(&t.TTL, "ttl", time.Hour, "how long the token is valid")
	rest, err := cmdline.Parse(fs, args, getenv)
	if err != nil {
		return nil, err
	}
	var errs []error
	if len(rest) > 0 {
		errs = append(errs, fmt.Errorf("unexpected argument %q: flags start with --", rest[0]))
	}
	if t.Key, err = key.read(); err != nil {
		errs = append(errs, err)
	} else if len(t.Key) == 0 {
		errs = append(errs, errors.New("--subscribe-key, --subscribe-key-file or STOCKSTREAM_SUBSCRIBE_KEY: the server's subscriber key is required"))
	}
	switch {
	case strings.TrimSpace(symbols) == "":
		errs = append(errs, errors.New("--symbols: name the symbols the token grants, or * for every one"))
	case strings.TrimSpace(symbols) == access.AllSymbols:
		t.Symbols = []string{access.AllSymbols}
	default:
		if t.Symbols, err = stock.ParseSymbolList(symbols, 1000); err != nil {
			errs = append(errs, fmt.Errorf("--symbols: %v", err))
		}
	}
	if t.TTL < time.Second || t.TTL > MaxTokenTTL {
		errs = append(errs, fmt.Errorf("--ttl: %s is out of range 1s..%s", t.TTL, MaxTokenTTL))
	}
	return &t, errors.Join(errs...)
}

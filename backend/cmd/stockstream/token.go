package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/stockstream/stockstream/backend/access"
	"github.com/stockstream/stockstream/shared/stock"
)

// maxTokenTTL bounds token --ttl.
const maxTokenTTL = 10 * 365 * 24 * time.Hour

// tokenConfig is the command line of token.
type tokenConfig struct {
	key     []byte
	symbols []string
	ttl     time.Duration
}

// parseToken reads the command line of token.
func (c *cli) parseToken(args []string) (*tokenConfig, error) {
	fs := flag.NewFlagSet("stockstream token", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	var t tokenConfig
	var key keyFlags
	var symbols string
	key.define(fs)
	fs.StringVar(&symbols, "symbols", "", `symbols the token grants, comma-separated, or * for every symbol (required)`)
	fs.DurationVar(&t.ttl, "ttl", time.Hour, "how long the token is valid")
	fs.Usage = usage(fs, "token --symbols A,B [--ttl 1h] [flags]",
		"Prints a subscriber token (an HS256 JWT signed with the server's --subscribe-key) that lets\nits holder read the symbols for --ttl, alone on one line.")
	rest, err := parseFlags(fs, args, c.getenv)
	if err != nil {
		return nil, err
	}
	var errs []error
	if len(rest) > 0 {
		errs = append(errs, fmt.Errorf("unexpected argument %q: flags start with --", rest[0]))
	}
	if t.key, err = key.read(); err != nil {
		errs = append(errs, err)
	} else if len(t.key) == 0 {
		errs = append(errs, errors.New("--subscribe-key, --subscribe-key-file or STOCKSTREAM_SUBSCRIBE_KEY: the server's subscriber key is required"))
	}
	switch {
	case strings.TrimSpace(symbols) == "":
		errs = append(errs, errors.New("--symbols: name the symbols the token grants, or * for every one"))
	case strings.TrimSpace(symbols) == access.AllSymbols:
		t.symbols = []string{access.AllSymbols}
	default:
		if t.symbols, err = stock.ParseSymbolList(symbols, 1000); err != nil {
			errs = append(errs, fmt.Errorf("--symbols: %v", err))
		}
	}
	if t.ttl < time.Second || t.ttl > maxTokenTTL {
		errs = append(errs, fmt.Errorf("--ttl: %s is out of range 1s..%s", t.ttl, maxTokenTTL))
	}
	return &t, errors.Join(errs...)
}

// token prints a subscriber token.
func (c *cli) token(_ context.Context, args []string) int {
	t, err := c.parseToken(args)
	if err != nil {
		return c.usageError("token", err)
	}
	tok, err := access.Mint(t.key, t.symbols, time.Now().Add(t.ttl))
	if err != nil {
		fmt.Fprintf(c.stderr, "stockstream token: %v\n", err)
		return exitError
	}
	fmt.Fprintln(c.stdout, tok)
	return exitOK
}

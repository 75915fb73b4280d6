package main

import (
	"context"
	"fmt"
	"time"

	"github.com/stockstream/stockstream/backend/access"
	"github.com/stockstream/stockstream/backend/config"
)

// token prints a subscriber token.
func (c *cli) token(_ context.Context, args []string) int {
	t, err := config.ParseToken(args, c.getenv, c.stderr)
	if err != nil {
		return c.usageError("token", err)
	}
	tok, err := access.Mint(t.Key, t.Symbols, time.Now().Add(t.TTL))
	if err != nil {
		fmt.Fprintf(c.stderr, "stockstream token: %v\n", err)
		return exitError
	}
	fmt.Fprintln(c.stdout, tok)
	return exitOK
}

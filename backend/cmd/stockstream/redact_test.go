package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stockstream/stockstream/backend/redis/redistest"
)

// TestBrokerPasswordIsNeverPrinted starts the server with --broker URLs
// holding a password that is wrong in every way a URL can be (unparsable,
// another scheme, a bad database, an unreachable host, a Redis without
// TLS, a Redis without a password) and checks that no line it prints,
// debug lines included, holds the password or the publish token.
func TestBrokerPasswordIsNeverPrinted(t *testing.T) {
	const secret = "s3cret-Pa55"
	srv := redistest.Start(t) // has no password: it refuses AUTH
	for _, broker := range []string{
		"redis://user:" + secret + "@[::1",
		"redis://:" + secret + "@127.0.0.1:1:2/0",
		"http://user:" + secret + "@127.0.0.1/0",
		"redis://user:" + secret + "@127.0.0.1:1/x",
		"redis://user:" + secret + "@127.0.0.1:1/0",
		"rediss://:" + secret + "@" + srv.Addr() + "/0",
		"redis://:" + secret + "@" + srv.Addr() + "/0",
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
		var out syncBuffer
		run(ctx, []string{"--addr", "127.0.0.1:0", "--broker", broker, "--publish-token", secret, "--log-level", "debug"}, noEnv, &out, nil)
		cancel()
		if strings.Contains(out.String(), secret) {
			t.Errorf("--broker with a password printed it:\n%s", out.String())
		}
		if out.String() == "" {
			t.Errorf("--broker %s: no message at all", broker)
		}
	}
}

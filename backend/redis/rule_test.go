package redis

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stockstream/stockstream/backend/brokertest"
	"github.com/stockstream/stockstream/backend/redis/redistest"
	"github.com/stockstream/stockstream/shared/stock/stocktest"
)

// TestScriptFollowsTheRule runs the publish script on a real redis-server
// over every case of the bar and session-open rule, the table the Go rule
// (stock.MinuteBars, stock.SessionOpen) is tested against: events one by
// one and in one batch, then the bars, the open the latest event carries
// and the session open stored in the latest hash.
func TestScriptFollowsTheRule(t *testing.T) {
	srv := redistest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	b, err := Open(ctx, srv.URL(0), Options{History: 100, Prefix: "rule:"})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for i, c := range stocktest.Cases {
		t.Run(c.Name, func(t *testing.T) {
			for j, batch := range []bool{false, true} {
				sym := fmt.Sprintf("R%d%c", i, "OB"[j]) // one by one, batched
				brokertest.PublishCase(t, b, sym, c, batch)
				brokertest.CheckCase(t, b, sym, c)
				v, err := b.rdb.HGet(ctx, b.keys.latest, sym).Result()
				if err != nil {
					t.Fatal(err)
				}
				f := strings.Fields(v)
				if len(f) != 5 {
					t.Fatalf("latest of %s: %q holds no session open", sym, v)
				}
				if open, err := decodeOpen(f[3], f[4]); err != nil || open != c.Open {
					t.Errorf("session open of %s stored as %q: %+v %v, want %+v", sym, v, open, err, c.Open)
				}
			}
		})
	}
}

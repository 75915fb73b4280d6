package inmem_test

import (
	"context"
	"testing"
	"time"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/brokertest"
	"github.com/stockstream/stockstream/backend/inmem"
)

func TestBroker(t *testing.T) {
	brokertest.Run(t, func(_ testing.TB, c brokertest.Config) backend.Broker {
		return inmem.New(inmem.Options{History: c.History, Queue: c.Queue, MaxReplay: c.MaxReplay, MaxSymbols: c.MaxSymbols})
	})
}

// TestKeysAreForgottenAfterADayOrPastTheBound checks the in-memory
// broker's own store of publish keys: a key is remembered for
// backend.KeyTTL, and past MaxKeys the oldest is forgotten first.
func TestKeysAreForgottenAfterADayOrPastTheBound(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	b := inmem.New(inmem.Options{History: 100, MaxKeys: 2, Now: func() time.Time { return now }})
	defer b.Close()
	publish := func(key string) string {
		t.Helper()
		evs, err := b.Publish(context.Background(), backend.PublishRequest{Quotes: brokertest.Quotes("AAPL", 1), Key: key})
		if err != nil {
			t.Fatal(err)
		}
		return evs[0].ID
	}
	a := publish("a")
	if again := publish("a"); again != a {
		t.Fatalf("repeat of a: %s, want %s", again, a)
	}
	now = now.Add(backend.KeyTTL - time.Microsecond)
	if again := publish("a"); again != a {
		t.Fatalf("repeat of a just before a day: %s, want %s", again, a)
	}
	now = now.Add(time.Microsecond)
	a2 := publish("a")
	if a2 == a {
		t.Fatalf("repeat of a after a day answered %s again: want a new publish", a)
	}
	bID, cID := publish("b"), publish("c") // a, b, c with room for two: a goes
	if publish("b") != bID || publish("c") != cID {
		t.Fatal("the two newest keys were not remembered")
	}
	if again := publish("a"); again == a2 {
		t.Fatalf("a key past the bound answered %s again: want a new publish", a2)
	}
}

// TestMemoryPerSymbol holds the in-memory broker to 8 KiB of heap per
// symbol with one price, bars included (BenchmarkMemoryPerSymbol reports
// the figure).
func TestMemoryPerSymbol(t *testing.T) {
	perSymbol, br := memoryPerSymbol(t, 10000)
	defer br.Close()
	t.Logf("%.0f B per symbol", perSymbol)
	if perSymbol > 8<<10 {
		t.Fatalf("%.0f B of heap per symbol with one price, want at most 8 KiB", perSymbol)
	}
}

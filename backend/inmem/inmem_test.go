package inmem_test

import (
	"testing"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/brokertest"
	"github.com/stockstream/stockstream/backend/inmem"
)

func TestBroker(t *testing.T) {
	brokertest.Run(t, func(_ testing.TB, history, queue int) backend.Broker {
		return inmem.New(inmem.Options{History: history, Queue: queue})
	})
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

package inmem_test

import (
	"testing"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/brokertest"
	"github.com/stockstream/stockstream/backend/inmem"
)

func TestBroker(t *testing.T) {
	brokertest.Run(t, func(_ testing.TB, c brokertest.Config) backend.Broker {
		return inmem.New(inmem.Options{History: c.History, Queue: c.Queue, MaxSymbols: c.MaxSymbols})
	})
}

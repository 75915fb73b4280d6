package inmem_test

import (
	"testing"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/brokertest"
	"github.com/stockstream/stockstream/backend/inmem"
)

func TestBroker(t *testing.T) {
	brokertest.Run(t, func(_ testing.TB, o brokertest.Options) backend.Broker {
		return inmem.New(inmem.Options{History: o.History, Queue: o.Queue, MaxReplay: o.MaxReplay})
	})
}

package batch_test

import (
	"sync"
	"testing"

	"github.com/stockstream/stockstream/frontend/batch"
)

func TestDrainTakesEverythingInOrder(t *testing.T) {
	q := batch.NewQueue[int](10)
	q.Push(1, 2)
	q.Push(3)
	items, dropped := q.Drain()
	if len(items) != 3 || items[0] != 1 || items[2] != 3 || dropped != 0 {
		t.Fatalf("items %v dropped %d", items, dropped)
	}
	if items, _ := q.Drain(); len(items) != 0 {
		t.Errorf("second drain %v", items)
	}
}

func TestFullQueueDropsOldest(t *testing.T) {
	q := batch.NewQueue[int](3)
	q.Push(1, 2, 3, 4, 5)
	items, dropped := q.Drain()
	if len(items) != 3 || items[0] != 3 || dropped != 2 {
		t.Fatalf("items %v dropped %d", items, dropped)
	}
}

// TestBurstIsOneBatch: a burst of 1,000 events from many goroutines is
// drained at once, with no event lost under the limit.
func TestBurstIsOneBatch(t *testing.T) {
	q := batch.NewQueue[int](20_000)
	var wg sync.WaitGroup
	for g := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 100 {
				q.Push(g*100 + i)
			}
		}()
	}
	wg.Wait()
	items, dropped := q.Drain()
	if len(items) != 1000 || dropped != 0 || q.Len() != 0 {
		t.Fatalf("drained %d dropped %d left %d", len(items), dropped, q.Len())
	}
}

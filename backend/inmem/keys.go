package inmem

import (
	"time"

	"github.com/stockstream/stockstream/backend"
)

// receipts remembers the keys of recent publishes for backend.KeyTTL, at
// most max of them: past that the oldest is forgotten first.
type receipts struct {
	max   int
	byKey map[string]backend.Receipt
	order []string // keys, oldest first
}

// get returns the receipt of key if it was used within backend.KeyTTL of
// now; an empty key has none.
func (r *receipts) get(key string, now time.Time) (backend.Receipt, bool) {
	if key == "" {
		return backend.Receipt{}, false
	}
	r.expire(now)
	rc, ok := r.byKey[key]
	return rc, ok
}

// add remembers the receipt of a key get did not find.
func (r *receipts) add(key string, rc backend.Receipt) {
	for len(r.order) >= r.max {
		r.dropOldest()
	}
	r.byKey[key] = rc
	r.order = append(r.order, key)
}

// expire forgets the keys used more than backend.KeyTTL before now.
func (r *receipts) expire(now time.Time) {
	for len(r.order) > 0 && now.Sub(r.byKey[r.order[0]].At) >= backend.KeyTTL {
		r.dropOldest()
	}
}

func (r *receipts) dropOldest() {
	delete(r.byKey, r.order[0])
	r.order[0] = ""
	r.order = r.order[1:]
}

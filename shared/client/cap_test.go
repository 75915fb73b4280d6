package client_test

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stockstream/stockstream/shared/backoff"
	"github.com/stockstream/stockstream/shared/client"
	"github.com/stockstream/stockstream/shared/sse"
	"github.com/stockstream/stockstream/shared/stock"
)

// maxSymbols is the server's default symbol cap (--max-symbols).
const maxSymbols = 10_000

// largestSnapshot returns the largest snapshot frame a server sends at the
// symbol cap: maxSymbols symbols of 12 characters, each with the longest
// id, price, timestamp and open, encoded as the server encodes them.
func largestSnapshot() []byte {
	head := strconv.FormatUint(math.MaxUint64, 10)
	price := stock.MustParsePrice("999999999.999999")
	ts := time.Date(2026, 11, 24, 7, 48, 27, 937416025, time.UTC)
	data := []byte{'['}
	for i := range maxSymbols {
		if i > 0 {
			data = append(data, ',')
		}
		l := stock.Latest{StockPriceEvent: stock.StockPriceEvent{ID: head, Symbol: fmt.Sprintf("SYM.%08d", i), Price: price, Timestamp: ts}, Open: price}
		data = l.AppendJSON(data)
	}
	data = append(data, ']')
	return sse.AppendEvent(nil, head, stock.EventSnapshot, data)
}

func TestClientAcceptsTheLargestSnapshotAtTheSymbolCap(t *testing.T) {
	frame := largestSnapshot()
	t.Logf("largest snapshot at %d symbols: %d bytes (client limit %d)", maxSymbols, len(frame), client.DefaultMaxEventSize)
	read := func(maxEvent int) (int, error) {
		var n int
		var err error
		synctest.Test(t, func(t *testing.T) {
			f := &fakeServer{answer: func(int, *http.Request) *http.Response { return stream(string(frame)) }}
			for m, e := range client.Subscribe(t.Context(), "http://x", client.Options{Connection: client.Connection{
				HTTPClient: f.client(), MaxEventSize: maxEvent, Backoff: backoff.Policy{Base: time.Millisecond, Max: time.Millisecond},
			}}) {
				n, err = len(m.Snapshot), e
				break
			}
		})
		return n, err
	}
	if n, err := read(0); err != nil || n != maxSymbols {
		t.Fatalf("default client: snapshot of %d symbols, %v; want %d", n, err, maxSymbols)
	}
	// The limit is what decides: a client allowed less refuses it.
	if _, err := read(len(frame) / 2); !errors.Is(err, sse.ErrTooLong) {
		t.Fatalf("client limited to half the snapshot: %v, want sse.ErrTooLong", err)
	}
}

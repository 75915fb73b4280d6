package http_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stockstream/stockstream/backend"
	stockhttp "github.com/stockstream/stockstream/backend/http"
	"github.com/stockstream/stockstream/backend/inmem"
	"github.com/stockstream/stockstream/shared/sse"
	"github.com/stockstream/stockstream/shared/stock"
)

// frames parses what a stream wrote into its events; heartbeats and
// retry lines are skipped.
func frames(t *testing.T, written string) []sse.Owned {
	t.Helper()
	r := sse.NewReader(strings.NewReader(written), 1<<20)
	var out []sse.Owned
	for {
		ev, err := r.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("parsing %q: %v", written, err)
		}
		out = append(out, ev.Own())
	}
}

// decoded returns the stockUpdate events of frames, failing on any other.
func decoded(t *testing.T, fs []sse.Owned) []stock.StockPriceEvent {
	t.Helper()
	out := make([]stock.StockPriceEvent, len(fs))
	for i, f := range fs {
		if f.Type != stock.EventUpdate || json.Unmarshal([]byte(f.Data), &out[i]) != nil || out[i].ID != f.ID {
			t.Fatalf("frame %+v: want a stockUpdate", f)
		}
	}
	return out
}

// latestPerSymbol returns the last event of each symbol, in id order.
func latestPerSymbol(evs []stock.StockPriceEvent) []stock.StockPriceEvent {
	last := map[string]string{}
	for _, ev := range evs {
		last[ev.Symbol] = ev.ID
	}
	var out []stock.StockPriceEvent
	for _, ev := range evs {
		if last[ev.Symbol] == ev.ID {
			out = append(out, ev)
		}
	}
	return out
}

// prices writes events as "SYMBOL=price id" for failure messages and
// comparisons.
func prices(evs []stock.StockPriceEvent) string {
	var b strings.Builder
	for _, ev := range evs {
		b.WriteString(ev.Symbol + "=" + ev.Price.String() + " " + ev.ID + "; ")
	}
	return b.String()
}

// publishWindow publishes one event per millisecond for a 100 ms window
// that starts now, half a millisecond off the window's ticks, on AAPL,
// MSFT, GOOG and AMZN in turn (GOOG only if goog), and sleeps until the
// window ends.
func publishWindow(t *testing.T, b *inmem.Broker, n *int, goog bool) []stock.StockPriceEvent {
	t.Helper()
	var out []stock.StockPriceEvent
	time.Sleep(500 * time.Microsecond)
	for i := range 100 {
		sym := []string{"AAPL", "MSFT", "GOOG", "AMZN"}[*n%4]
		if sym == "GOOG" && !goog {
			sym = "AAPL"
		}
		*n++
		evs, err := b.Publish(context.Background(), backend.PublishRequest{Quotes: []stock.Quote{{Symbol: sym, Price: stock.PriceFromCents(int64(10000 + *n))}}})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, evs...)
		if i < 99 {
			time.Sleep(time.Millisecond)
		}
	}
	time.Sleep(500 * time.Microsecond)
	return out
}

// conflatedServer starts, in a synctest bubble, a server on an in-memory
// broker and a stream of it with conflate=100ms, and reads the opening.
func conflatedServer(t *testing.T) (*inmem.Broker, *stockhttp.Server, *streamWriter, context.CancelFunc) {
	b := inmem.New(inmem.Options{History: 10000})
	t.Cleanup(func() { b.Close() })
	srv := stockhttp.New(stockhttp.Config{Broker: b, Heartbeat: time.Hour, Logger: quietLogger()})
	w, leave := serveStream(t, srv, "/stocks?conflate=100ms", nil)
	synctest.Wait()
	if got := frames(t, w.take()); len(got) != 1 || got[0].Type != stock.EventSnapshot {
		t.Fatalf("opening %+v, want the snapshot", got)
	}
	return b, srv, w, leave
}

// TestConflatedStreamAt1000PerSecond streams 1,000 events/s on 4 symbols
// (GOOG only for 300 ms) with conflate=100ms: every window writes exactly
// the latest event of each symbol changed in it, in id order, and nothing
// else.
func TestConflatedStreamAt1000PerSecond(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, _, w, _ := conflatedServer(t)
		n := 0
		for window := range 10 {
			sent := publishWindow(t, b, &n, window < 3)
			synctest.Wait()
			got := decoded(t, frames(t, w.take()))
			if want := latestPerSymbol(sent); prices(got) != prices(want) {
				t.Fatalf("window %d wrote %s\nwant %s", window, prices(got), prices(want))
			}
		}
		time.Sleep(time.Second)
		synctest.Wait()
		if got := w.take(); got != "" {
			t.Fatalf("wrote %q in windows without events", got)
		}
	})
}

// TestConflatedResumeKeepsLatestPrices reads a conflated stream for a few
// windows, leaves mid-stream, and resumes by Last-Event-ID while prices
// moved on: the resumed stream opens with the latest event of each symbol
// changed since that id, so the client ends with every symbol's latest
// price, and goes on conflated.
func TestConflatedResumeKeepsLatestPrices(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, srv, w, leave := conflatedServer(t)
		n := 0
		var all, seen []stock.StockPriceEvent
		for range 3 {
			all = append(all, publishWindow(t, b, &n, true)...)
			synctest.Wait()
			seen = append(seen, decoded(t, frames(t, w.take()))...)
		}
		leave()
		synctest.Wait()
		lastID := seen[len(seen)-1].ID
		all = append(all, publishWindow(t, b, &n, false)...) // GOOG does not change while away
		all = append(all, publishWindow(t, b, &n, false)...)

		w, _ = serveStream(t, srv, "/stocks?conflate=100ms", http.Header{"Last-Event-Id": {lastID}})
		synctest.Wait()
		replay := decoded(t, frames(t, w.take()))
		var since []stock.StockPriceEvent
		for _, ev := range all {
			if stock.NewerID(ev.ID, lastID) {
				since = append(since, ev)
			}
		}
		if want := latestPerSymbol(since); prices(replay) != prices(want) {
			t.Fatalf("resumed after %s with\n%s\nwant the latest of each symbol changed since\n%s", lastID, prices(replay), prices(want))
		}
		if got, want := prices(latestPerSymbol(append(seen, replay...))), prices(latestPerSymbol(all)); got != want {
			t.Fatalf("the client ends with\n%s\nwant every symbol's latest\n%s", got, want)
		}
		live := publishWindow(t, b, &n, true)
		synctest.Wait()
		if got := decoded(t, frames(t, w.take())); prices(got) != prices(latestPerSymbol(live)) {
			t.Fatalf("after the resume wrote %s, want %s", prices(got), prices(latestPerSymbol(live)))
		}
	})
}

func TestConflateValuesAccepted(t *testing.T) {
	s := startServer(t, stockhttp.Config{}, inmem.Options{})
	publish(t, s.Broker, quotes("AAPL", 1))
	for _, v := range []string{"10ms", "250ms", "1.5s", "60s", "1m", "10.9ms"} {
		_, r := openStream(t, s.URL+"/stocks?conflate="+v, nil)
		if ev := readOpening(t, r); ev.Type != stock.EventSnapshot {
			t.Fatalf("conflate=%s opened with %+v, want the snapshot", v, ev)
		}
	}
}

package http_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stockstream/stockstream/backend/access"
	"github.com/stockstream/stockstream/backend/access/accesstest"
	"github.com/stockstream/stockstream/backend/delay"
	stockhttp "github.com/stockstream/stockstream/backend/http"
	"github.com/stockstream/stockstream/backend/inmem"
	"github.com/stockstream/stockstream/shared/stock"
)

// TestDelayedReadersReadTheDelayedTier serves anonymous callers delayed
// data (a 1s delay) beside a token holder reading live: the snapshot, the
// latest price and the stream of an anonymous caller hold an event only
// once it is a second old, with its own id; the token holder sees it at
// once.
func TestDelayedReadersReadTheDelayedTier(t *testing.T) {
	const d = time.Second
	b := inmem.New(inmem.Options{History: 1000})
	view, err := delay.Start(context.Background(), b, delay.Options{Delay: d, History: 1000})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(view.Close)
	s := startServer(t, stockhttp.Config{
		Broker: b, Delayed: view,
		Access: access.New(access.Config{Key: subKey, Anonymous: access.DelayedMode, Delay: d}),
	}, inmem.Options{})
	tok := http.Header{"Authorization": {"Bearer " + accesstest.Token(subKey, time.Hour, "*")}}
	_, delayed := openStream(t, s.URL+"/stocks", nil)
	readOpening(t, delayed)
	_, live := openStream(t, s.URL+"/stocks", tok)
	readOpening(t, live)

	published := publish(t, b, quotes("AAPL", 3))
	at := time.Now()
	if got := updates(t, live, 3); idsOf(got) != idsOf(published) {
		t.Fatalf("live %s, want %s", idsOf(got), idsOf(published))
	}
	for _, path := range []string{"/api/snapshot", "/api/stocks/AAPL"} {
		if _, _, body := do(t, "GET", s.URL+path, nil, ""); strings.Contains(body, published[2].ID) {
			t.Fatalf("GET %s right after the publish showed the fresh event to a delayed reader: %s", path, body)
		}
		if _, _, body := do(t, "GET", s.URL+path, tok, ""); !strings.Contains(body, published[2].ID) {
			t.Fatalf("GET %s with a token: %s, want the fresh event", path, body)
		}
	}
	if got := updates(t, delayed, 3); idsOf(got) != idsOf(published) || time.Since(at) < d-50*time.Millisecond {
		t.Fatalf("delayed %s after %v, want %s after %v", idsOf(got), time.Since(at), idsOf(published), d)
	}
	_, _, body := do(t, "GET", s.URL+"/api/stocks/AAPL", nil, "")
	var l stock.Latest
	if err := json.Unmarshal([]byte(body), &l); err != nil || l.ID != published[2].ID {
		t.Fatalf("delayed latest once released: %s", body)
	}
}

// TestDelayedReadersNeverReadLive: a server configured for delayed
// anonymous readers but without the delayed tier refuses their reads
// rather than answering with live data.
func TestDelayedReadersNeverReadLive(t *testing.T) {
	s := startServer(t, stockhttp.Config{
		Access: access.New(access.Config{Key: subKey, Anonymous: access.DelayedMode, Delay: time.Minute}),
	}, inmem.Options{})
	publish(t, s.Broker, quotes("AAPL", 1))
	for _, path := range []string{"/api/snapshot", "/api/stocks/AAPL", "/api/stocks/AAPL/bars"} {
		if status, _, body := do(t, "GET", s.URL+path, nil, ""); status != http.StatusServiceUnavailable {
			t.Errorf("GET %s without a delayed tier: %d %s, want 503", path, status, body)
		}
	}
	if _, _, body := do(t, "GET", s.URL+"/stocks", nil, ""); strings.Contains(body, "AAPL") || !strings.HasPrefix(body, "retry:") {
		t.Errorf("the stream without a delayed tier: %q, want only retry:", body)
	}
}

package http_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stockstream/stockstream/backend/brokertest"
	stockhttp "github.com/stockstream/stockstream/backend/http"
	"github.com/stockstream/stockstream/backend/inmem"
	"github.com/stockstream/stockstream/shared/stock"
)

func TestBarsAPI(t *testing.T) {
	s := startServer(t, stockhttp.Config{}, inmem.Options{})
	brokertest.PublishBars(t, s.Broker)
	const (
		b1200 = `{"symbol":"BARS","start":"2026-03-01T12:00:00Z","open":9.9,"high":9.9,"low":9.9,"close":9.9,"count":1}`
		b0000 = `{"symbol":"BARS","start":"2026-03-02T00:00:00Z","open":10.1,"high":10.2,"low":10.1,"close":10.15,"count":3}`
		b0002 = `{"symbol":"BARS","start":"2026-03-02T00:02:00Z","open":10.3,"high":10.3,"low":10.25,"close":10.25,"count":2}`
		h2300 = `{"symbol":"BARS","start":"2026-03-01T23:00:00Z","open":10.01,"high":10.05,"low":10,"close":10.02,"count":5}`
		h0000 = `{"symbol":"BARS","start":"2026-03-02T00:00:00Z","open":10.1,"high":10.3,"low":10.1,"close":10.25,"count":5}`
		m2355 = `{"symbol":"BARS","start":"2026-03-01T23:55:00Z","open":10.01,"high":10.05,"low":10,"close":10.02,"count":5}`
	)
	for query, want := range map[string]string{
		"?interval=1m&limit=2":    "[" + b0000 + "," + b0002 + "]",
		"?limit=1":                "[" + b0002 + "]",
		"":                        "", // all five, checked below
		"?interval=5m":            "[" + b1200 + "," + m2355 + "," + h0000 + "]",
		"?interval=15m&limit=1":   "[" + h0000 + "]",
		"?interval=1h&limit=1440": "[" + b1200 + "," + h2300 + "," + h0000 + "]",
	} {
		status, h, body := do(t, "GET", s.URL+"/api/stocks/bars/bars"+query, nil, "")
		if status != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "application/json") {
			t.Fatalf("GET bars%s: %d %s", query, status, body)
		}
		if want == "" {
			var got []stock.Bar
			if err := json.Unmarshal([]byte(body), &got); err != nil || len(got) != 5 {
				t.Fatalf("GET bars: %s, want all five one-minute bars", body)
			}
			continue
		}
		if strings.TrimSpace(body) != want {
			t.Errorf("GET bars%s:\n got %s\nwant %s", query, body, want)
		}
	}
}

func TestSnapshotsCarrySessionOpen(t *testing.T) {
	s := startServer(t, stockhttp.Config{}, inmem.Options{})
	brokertest.PublishBars(t, s.Broker)
	open := `"open":10.1}`
	if status, _, body := do(t, "GET", s.URL+"/api/stocks/BARS", nil, ""); status != 200 || !strings.HasSuffix(strings.TrimSpace(body), `"price":10.25,"timestamp":"2026-03-02T00:02:30Z",`+open) {
		t.Fatalf("latest BARS: %d %s, want its open 10.1", status, body)
	}
	if _, _, body := do(t, "GET", s.URL+"/api/snapshot", nil, ""); !strings.Contains(body, open) {
		t.Fatalf("snapshot %s lacks the open", body)
	}
	_, r := openStream(t, s.URL+"/stocks?symbols=BARS", nil)
	if ev := readOpening(t, r); ev.Type != stock.EventSnapshot || !strings.HasSuffix(ev.Data, open+"]") {
		t.Fatalf("stream snapshot %+v lacks the open", ev)
	}
}

package http_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	stockhttp "github.com/stockstream/stockstream/backend/http"
	"github.com/stockstream/stockstream/backend/inmem"
)

// TestMaxFuture holds published timestamps to --max-future ahead of the
// server's clock: a minute by default, and what the config says.
func TestMaxFuture(t *testing.T) {
	body := func(ahead time.Duration) string {
		return fmt.Sprintf(`{"symbol":"AAPL","price":1,"timestamp":%q}`, time.Now().Add(ahead).UTC().Format(time.RFC3339Nano))
	}
	def := startServer(t, stockhttp.Config{PublishToken: token}, inmem.Options{})
	if status, _, resp := do(t, "POST", def.URL+"/api/prices", jsonAuth, body(30*time.Second)); status != http.StatusAccepted {
		t.Fatalf("30 s ahead, default --max-future: %d %s, want 202", status, resp)
	}
	status, _, resp := do(t, "POST", def.URL+"/api/prices", jsonAuth, body(90*time.Second))
	if status != http.StatusBadRequest || !strings.Contains(resp, "1m0s ahead of the server's clock") {
		t.Fatalf("90 s ahead, default --max-future: %d %s, want 400 naming the bound", status, resp)
	}
	strict := startServer(t, stockhttp.Config{PublishToken: token, MaxFuture: 5 * time.Second}, inmem.Options{})
	if status, _, resp := do(t, "POST", strict.URL+"/api/prices", jsonAuth, body(30*time.Second)); status != http.StatusBadRequest {
		t.Fatalf("30 s ahead, --max-future 5s: %d %s, want 400", status, resp)
	}
	loose := startServer(t, stockhttp.Config{PublishToken: token, MaxFuture: time.Hour}, inmem.Options{})
	if status, _, resp := do(t, "POST", loose.URL+"/api/prices", jsonAuth, body(30*time.Minute)); status != http.StatusAccepted {
		t.Fatalf("30 min ahead, --max-future 1h: %d %s, want 202", status, resp)
	}
	// A refused batch publishes nothing of itself.
	batch := `[{"symbol":"MSFT","price":1},` + body(time.Hour) + `]`
	if status, _, _ := do(t, "POST", def.URL+"/api/prices", jsonAuth, batch); status != http.StatusBadRequest {
		t.Fatalf("batch with one timestamp an hour ahead: %d, want 400", status)
	}
	if status, _, _ := do(t, "GET", def.URL+"/api/stocks/MSFT", nil, ""); status != http.StatusNotFound {
		t.Fatalf("a refused batch published MSFT: %d", status)
	}
}

// TestHSTSOverTLSOnly checks Strict-Transport-Security on every kind of
// response over TLS (API, error, stream, page) and on none over plain HTTP.
func TestHSTSOverTLSOnly(t *testing.T) {
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("page")) })
	b := inmem.New(inmem.Options{History: 10})
	defer b.Close()
	srv := stockhttp.New(stockhttp.Config{Broker: b, App: app, Logger: slog.New(slog.DiscardHandler)})
	defer srv.Shutdown(testCtx(t))
	tlsSrv := httptest.NewUnstartedServer(srv.Handler())
	tlsSrv.EnableHTTP2 = true
	tlsSrv.StartTLS()
	defer tlsSrv.Close()
	plain := httptest.NewServer(srv.Handler())
	defer plain.Close()
	for _, path := range []string{"/api/snapshot", "/api/stocks/NOPE", "/healthz", "/", "/stocks"} {
		for _, s := range []*httptest.Server{tlsSrv, plain} {
			req, _ := http.NewRequestWithContext(testCtx(t), "GET", s.URL+path, nil)
			resp, err := s.Client().Do(req)
			if err != nil {
				t.Fatalf("GET %s: %v", path, err)
			}
			resp.Body.Close()
			got := resp.Header.Get("Strict-Transport-Security")
			if tls := resp.TLS != nil; tls && !strings.HasPrefix(got, "max-age=") || !tls && got != "" {
				t.Errorf("GET %s (TLS %v, %s): Strict-Transport-Security %q", path, tls, resp.Proto, got)
			}
		}
	}
}

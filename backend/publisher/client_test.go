package publisher_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/publisher"
	"github.com/stockstream/stockstream/shared/client"
	"github.com/stockstream/stockstream/shared/stock"
)

const token = "t0ken"

// quotes returns n quotes of symbol priced 1, 2, … n.
func quotes(symbol string, n int) []stock.Quote {
	out := make([]stock.Quote, n)
	for i := range out {
		out[i] = stock.Quote{Symbol: symbol, Price: stock.PriceFromCents(int64(i+1) * 100), Timestamp: time.Date(2024, 1, 2, 14, 30, i, 0, time.UTC)}
	}
	return out
}

// keyedServer is a server that keeps idempotency keys, as the real one
// does: a repeat of a key publishes nothing. fail decides, for each
// request, whether to answer with an error instead (status, or 0 to drop
// the connection), and whether it was published before failing.
type keyedServer struct {
	mu        sync.Mutex
	keys      []string // of every request, in order
	published map[string]int
	accepted  int // quotes published
	fail      func(call int) (status int, after bool)
}

func (s *keyedServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer "+token || r.URL.Path != "/api/prices" || r.Header.Get("Content-Type") != "application/json" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	var qs []stock.Quote
	if err := json.NewDecoder(r.Body).Decode(&qs); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	key := r.Header.Get(publisher.KeyHeader)
	s.keys = append(s.keys, key)
	status, after := s.fail(len(s.keys))
	if status == 0 || after {
		if _, seen := s.published[key]; !seen {
			s.published[key] = len(qs)
			s.accepted += len(qs)
		}
	}
	switch {
	case status == 0:
		w.WriteHeader(http.StatusAccepted)
	case status < 0:
		conn, _, _ := w.(http.Hijacker).Hijack()
		conn.Close()
	default:
		w.Header().Set("Retry-After", "0")
		w.WriteHeader(status)
	}
}

func newKeyedServer(t *testing.T, fail func(call int) (int, bool)) (*keyedServer, string) {
	s := &keyedServer{published: map[string]int{}, fail: fail}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv.URL
}

// TestRetriesKeepTheBatchKey: 503, 429 and a dropped connection are
// retried with the batch's Idempotency-Key; each batch has a key of its
// own; a connection dropped after the server published the batch does
// not publish it twice.
func TestRetriesKeepTheBatchKey(t *testing.T) {
	s, url := newKeyedServer(t, func(call int) (int, bool) {
		switch call {
		case 1:
			return http.StatusServiceUnavailable, false
		case 2:
			return http.StatusTooManyRequests, false
		case 3:
			return -1, true // published, then the answer is lost
		}
		return 0, false
	})
	var notes []string
	c := publisher.NewClient(url+"/", token, time.Minute, func(s string) { notes = append(notes, s) })
	for _, batch := range [][]stock.Quote{quotes("A", 5000), quotes("B", 3)} {
		if _, err := c.Publish(context.Background(), backend.PublishRequest{Quotes: batch}); err != nil {
			t.Fatal(err)
		}
	}
	if len(s.keys) != 5 || s.keys[0] != s.keys[1] || s.keys[1] != s.keys[2] || s.keys[2] != s.keys[3] || s.keys[4] == s.keys[0] {
		t.Fatalf("keys %q: want one for the first batch's four tries and another for the second", s.keys)
	}
	for _, k := range s.keys {
		if len(k) < 1 || len(k) > 128 || strings.IndexFunc(k, func(r rune) bool { return r < 0x21 || r > 0x7e }) >= 0 {
			t.Fatalf("key %q is not 1–128 printable ASCII", k)
		}
	}
	if s.accepted != 5003 {
		t.Fatalf("%d quotes published, want 5003 exactly once each", s.accepted)
	}
	// The lost answer is retried by net/http itself (a request with an
	// Idempotency-Key may be sent again on a new connection) or by the
	// client, with a note: either way under the same key.
	want := []string{"503 Service Unavailable; sending the batch again in", "429 Too Many Requests; sending the batch again in"}
	for i, w := range want {
		if i >= len(notes) || !strings.Contains(notes[i], w) {
			t.Fatalf("notes %q, want %q", notes, want)
		}
	}
}

// TestRetryAfterIsHonoured: a 503 with Retry-After: 1 waits a second.
func TestRetryAfterIsHonoured(t *testing.T) {
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls++; calls == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	start := time.Now()
	if _, err := publisher.NewClient(srv.URL, token, time.Minute, func(string) {}).Publish(context.Background(), backend.PublishRequest{Quotes: quotes("A", 1)}); err != nil {
		t.Fatal(err)
	}
	if time.Since(start) < time.Second {
		t.Fatalf("retried after %s, before Retry-After", time.Since(start))
	}
}

// TestRefusals: a 4xx is final and carries the server's message; one that
// names an item says which; failures past retryFor give up.
func TestRefusals(t *testing.T) {
	refuse := func(status int, msg string) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			fmt.Fprintf(w, `{"error":%q}`, msg)
		}))
		defer srv.Close()
		_, err := publisher.NewClient(srv.URL, token, time.Minute, func(string) {}).Publish(context.Background(), backend.PublishRequest{Quotes: quotes("A", 3)})
		var se *client.StatusError
		var ie interface{ Item() int }
		switch {
		case err == nil || !errors.As(err, &se):
			return fmt.Sprintf("not a StatusError: %v", err)
		case errors.As(err, &ie):
			return fmt.Sprintf("%v (item %d)", err, ie.Item())
		}
		return err.Error()
	}
	if got := refuse(http.StatusUnauthorized, "invalid bearer token"); got != "server answered 401 Unauthorized: invalid bearer token" {
		t.Errorf("401: %s", got)
	}
	if got := refuse(http.StatusBadRequest, "item 2: timestamp out of range"); got != "server answered 400 Bad Request: item 2: timestamp out of range (item 2)" {
		t.Errorf("400: %s", got)
	}
	start := time.Now()
	_, err := publisher.NewClient("http://127.0.0.1:1", token, 300*time.Millisecond, func(string) {}).Publish(context.Background(), backend.PublishRequest{Quotes: quotes("A", 1)})
	if err == nil || !strings.Contains(err.Error(), "gave up after 300ms of failures (--retry-for)") || time.Since(start) > 10*time.Second {
		t.Fatalf("unreachable: %v after %s", err, time.Since(start))
	}
}

package client_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stockstream/stockstream/shared/backoff"
	"github.com/stockstream/stockstream/shared/client"
)

// TestTokenIsAskedForOnEveryConnect checks that the token source is called
// before each connection and its token sent as a bearer token, so a
// reconnect carries a fresh one.
func TestTokenIsAskedForOnEveryConnect(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var sent []string
		f := &fakeServer{answer: func(n int, r *http.Request) *http.Response {
			sent = append(sent, r.Header.Get("Authorization"))
			if n < 2 {
				return stream(fmt.Sprintf("id: %d\ndata: e%d\n\n", n+1, n))
			}
			return status(401, `{"error":"token expired at 2026-01-01T00:00:00Z"}`)
		}}
		calls := 0
		s := client.Stream{URL: "http://x/stocks", Connection: client.Connection{
			HTTPClient: f.client(), Backoff: backoff.Policy{Base: time.Second, Max: time.Second, Rand: lowJitter},
			Token: func(context.Context) (string, error) {
				calls++
				return fmt.Sprintf("tok%d", calls), nil
			},
		}}
		data, err := collect(t, t.Context(), s)
		if !slices.Equal(data, []string{"e0", "e1"}) {
			t.Errorf("events %q", data)
		}
		if want := []string{"Bearer tok1", "Bearer tok2", "Bearer tok3"}; !slices.Equal(sent, want) {
			t.Errorf("sent %q, want %q", sent, want)
		}
		var se *client.StatusError
		if !errors.As(err, &se) || se.Code != 401 || se.Message != "token expired at 2026-01-01T00:00:00Z" || se.Temporary() {
			t.Errorf("final error %v, want the permanent 401 with the server's message", err)
		}
	})
}

func TestForbiddenIsPermanent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeServer{answer: func(int, *http.Request) *http.Response {
			return status(403, `{"error":"your token does not grant symbol GOOG"}`)
		}}
		s := client.Stream{URL: "http://x/stocks?symbols=GOOG", Connection: client.Connection{HTTPClient: f.client()}}
		_, err := collect(t, t.Context(), s)
		var se *client.StatusError
		if !errors.As(err, &se) || se.Code != 403 || f.count() != 1 {
			t.Errorf("%v after %d requests, want one 403", err, f.count())
		}
	})
}

func TestTokenSourceErrorEndsTheSequence(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeServer{answer: func(int, *http.Request) *http.Response { return stream("data: x\n\n") }}
		boom := errors.New("vault sealed")
		s := client.Stream{URL: "http://x/stocks", Connection: client.Connection{HTTPClient: f.client(),
			Token: func(context.Context) (string, error) { return "", boom }}}
		_, err := collect(t, t.Context(), s)
		if !errors.Is(err, client.ErrToken) || !errors.Is(err, boom) || f.count() != 0 {
			t.Errorf("%v after %d requests, want ErrToken wrapping the source's error and no request", err, f.count())
		}
	})
}

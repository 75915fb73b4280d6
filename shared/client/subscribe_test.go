package client_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stockstream/stockstream/shared/backoff"
	"github.com/stockstream/stockstream/shared/client"
)

func update(id, sym, price string) string {
	return "id: " + id + "\nevent: stockUpdate\ndata: {\"id\":\"" + id + "\",\"symbol\":\"" + sym + "\",\"price\":" + price + ",\"timestamp\":\"2026-01-02T03:04:05.5Z\"}\n\n"
}

func TestSubscribeYieldsSnapshotsAndUpdatesOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeServer{answer: func(n int, _ *http.Request) *http.Response {
			switch n {
			case 0:
				return stream("retry: 10\n\nid: 10\nevent: snapshot\ndata: [{\"id\":\"9\",\"symbol\":\"AAPL\",\"price\":118.88,\"timestamp\":\"2026-01-02T03:04:05Z\",\"open\":117}]\n\n" +
					update("11", "AAPL", "118.9") + "event: somethingNew\ndata: {}\n\n")
			case 1: // a server that replays the last id again, as some do
				return stream(update("11", "AAPL", "118.9") + update("12", "MSFT", "420.27"))
			case 2: // the server no longer holds 12: a snapshot with a head id below it
				return stream("id: 5\nevent: snapshot\ndata: []\n\n" + update("6", "AAPL", "1"))
			}
			return status(404, "")
		}}
		var got []string
		for m, err := range client.Subscribe(t.Context(), "http://x", client.Options{Connection: client.Connection{HTTPClient: f.client(),
			Backoff: backoff.Policy{Base: time.Millisecond, Max: time.Millisecond}}}) {
			if err != nil {
				break
			}
			switch m.Kind {
			case client.Snapshot:
				s := "snapshot " + m.ID
				for _, l := range m.Snapshot {
					s += " " + l.Symbol + "=" + l.Price.String() + "/open " + l.Open.String()
				}
				if m.Missed {
					s += " missed"
				}
				got = append(got, s)
			case client.Update:
				got = append(got, m.ID+" "+m.Event.Symbol+"="+m.Event.Price.String())
			}
		}
		want := "snapshot 10 AAPL=118.88/open 117|11 AAPL=118.9|12 MSFT=420.27|snapshot 5 missed|6 AAPL=1"
		if g := strings.Join(got, "|"); g != want {
			t.Fatalf("messages\n%s\nwant\n%s", g, want)
		}
		if u := f.request(0).url; u != "http://x/stocks" {
			t.Errorf("stream URL %s", u)
		}
	})
}

func TestSubscribeRefusesWhatIsNotStockstream(t *testing.T) {
	for name, body := range map[string]string{
		"bad JSON":       "id: 1\nevent: stockUpdate\ndata: {\"price\":\n\n",
		"bad price":      "id: 1\nevent: stockUpdate\ndata: {\"id\":\"1\",\"symbol\":\"A\",\"price\":\"1\"}\n\n",
		"no id":          "event: stockUpdate\ndata: {}\n\n",
		"bad snapshot":   "id: 1\nevent: snapshot\ndata: {}\n\n",
		"id not numeric": update("x1", "A", "1"),
	} {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := &fakeServer{answer: func(int, *http.Request) *http.Response { return stream(body) }}
				var err error
				for _, err = range client.Subscribe(t.Context(), "http://x", client.Options{Connection: client.Connection{HTTPClient: f.client()}}) {
					if err != nil {
						break
					}
				}
				if !errors.Is(err, client.ErrMalformed) {
					t.Fatalf("error %v, want ErrMalformed", err)
				}
			})
		})
	}
}

func TestSubscribeStartsFromAnID(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeServer{answer: func(int, *http.Request) *http.Response {
			return stream("id: 50\nevent: snapshot\ndata: []\n\n")
		}}
		for m, err := range client.Subscribe(t.Context(), "http://x", client.Options{LastEventID: "42", Connection: client.Connection{HTTPClient: f.client()}}) {
			if err != nil || m.Kind != client.Snapshot || !m.Missed {
				t.Fatalf("%+v %v: want a snapshot marked missed", m, err)
			}
			break
		}
		if id := f.request(0).header.Get("Last-Event-ID"); id != "42" {
			t.Fatalf("Last-Event-ID %q", id)
		}
	})
}

func TestStreamURL(t *testing.T) {
	ok := map[string]struct {
		url  string
		opts client.Options
	}{
		"http://localhost:8080/stocks":                         {"http://localhost:8080", client.Options{}},
		"https://h/stocks?conflate=250ms&symbols=AAPL%2CBRK.B": {"https://h/", client.Options{Symbols: []string{"aapl", "brk.b"}, Conflate: 250 * time.Millisecond}},
		"http://h:1/prefix/stocks?symbols=MSFT&token=x":        {"http://h:1/prefix/stocks?token=x", client.Options{Symbols: []string{"MSFT"}}},
		"http://[::1]:9/stocks?conflate=1m0s":                  {"http://[::1]:9", client.Options{Conflate: time.Minute}},
	}
	for want, c := range ok {
		if got, err := client.StreamURL(c.url, c.opts); err != nil || got != want {
			t.Errorf("StreamURL(%q) = %q, %v; want %q", c.url, got, err, want)
		}
	}
	bad := map[string]client.Options{
		"localhost:8080":   {},
		"ftp://h/":         {},
		"http://":          {},
		"http://h/\x7f":    {},
		"http://h/x":       {Symbols: []string{"AA PL"}},
		"http://h/stocks ": {Conflate: -time.Second},
	}
	for u, opts := range bad {
		if got, err := client.StreamURL(u, opts); err == nil {
			t.Errorf("StreamURL(%q, %+v) = %q, want an error", u, opts, got)
		}
	}
}

// Package peerapi gives the benchmark's peer servers the publish endpoint
// of stockstream: POST /api/prices with one {"symbol","price","timestamp"}
// object or an array of them. Each quote gets the next id and is encoded as
// the same StockPriceEvent JSON stockstream streams, so every server carries
// the same payload.
package peerapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/stockstream/stockstream/shared/stock"
)

// Event is one encoded event ready for a library to send.
type Event struct {
	ID   string
	Data []byte // StockPriceEvent JSON
}

// PublishFunc hands encoded events, in order, to the library under test.
type PublishFunc func(events []Event) error

// maxBody bounds a publish request.
const maxBody = 1 << 20

// PublishHandler returns the POST /api/prices handler. Ids are assigned
// under a lock so that they reach the library in order.
func PublishHandler(publish PublishFunc) http.Handler {
	var mu sync.Mutex
	var seq uint64
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, `{"error":"POST only"}`, http.StatusMethodNotAllowed)
			return
		}
		quotes, err := decode(io.LimitReader(r.Body, maxBody))
		if err != nil {
			http.Error(w, `{"error":"bad body"}`, http.StatusBadRequest)
			return
		}
		now := time.Now().UTC()
		events := make([]Event, len(quotes))
		mu.Lock()
		defer mu.Unlock()
		for i, q := range quotes {
			seq++
			ts := q.Timestamp
			if ts.IsZero() {
				ts = now
			}
			id := strconv.FormatUint(seq, 10)
			ev := stock.StockPriceEvent{ID: id, Symbol: q.Symbol, Price: q.Price, Timestamp: ts}
			events[i] = Event{ID: id, Data: ev.AppendJSON(make([]byte, 0, 128))}
		}
		if err := publish(events); err != nil {
			http.Error(w, `{"error":"publish failed"}`, http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	})
}

// decode reads one quote or an array of quotes.
func decode(r io.Reader) ([]stock.Quote, error) {
	body, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil, errors.New("empty body")
	}
	if body[0] == '{' {
		var q stock.Quote
		if err := json.Unmarshal(body, &q); err != nil {
			return nil, err
		}
		return []stock.Quote{q}, q.Validate()
	}
	var qs []stock.Quote
	if err := json.Unmarshal(body, &qs); err != nil {
		return nil, err
	}
	for i := range qs {
		if err := qs[i].Validate(); err != nil {
			return nil, err
		}
	}
	return qs, nil
}

// Flags are the command line every peer accepts.
type Flags struct {
	Addr     string
	Lifetime time.Duration
}

// ParseFlags reads --addr and --lifetime.
func ParseFlags() Flags {
	var f Flags
	flag.StringVar(&f.Addr, "addr", "127.0.0.1:8090", "listen address (loopback)")
	flag.DurationVar(&f.Lifetime, "lifetime", 15*time.Minute, "exit after this long, whatever happens")
	flag.Parse()
	return f
}

// Serve serves h on f.Addr until SIGINT/SIGTERM or the lifetime ends.
func Serve(f Flags, h http.Handler) {
	l, err := net.Listen("tcp", f.Addr)
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, f.Lifetime)
	defer cancel()
	go func() {
		<-ctx.Done()
		srv.Close() // streams never end on their own: close, do not drain
	}()
	fmt.Fprintln(os.Stderr, "listening on", l.Addr())
	if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}

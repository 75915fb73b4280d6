// Package publisher is the client side of `stockstream publish`: it posts
// batches of prices to a server's POST /api/prices, each under an
// Idempotency-Key that it keeps across retries.
package publisher

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/feed"
	"github.com/stockstream/stockstream/shared/backoff"
	"github.com/stockstream/stockstream/shared/client"
	"github.com/stockstream/stockstream/shared/stock"
)

// retryBackoff paces the retries of a refused or failed batch.
var retryBackoff = backoff.Policy{Base: 200 * time.Millisecond, Max: 10 * time.Second}

// KeyHeader carries a batch's idempotency key: a server that keeps keys
// publishes a batch sent twice under one key once.
const KeyHeader = "Idempotency-Key"

// Client publishes batches through a server's POST /api/prices. Each
// batch carries an Idempotency-Key of its own, the same on every retry. A
// batch the server refuses for now (429, 503, other 5xx) or whose request
// fails is sent again after a backoff, honouring Retry-After, and only
// when no answer said it was accepted: with the key, a server that keeps
// keys publishes it once even when the first request reached it and only
// the answer was lost. Any other 4xx is final.
type Client struct {
	url      string
	token    string
	http     *http.Client
	retryFor time.Duration // give up after failing this long; 0: never
	note     func(string)
	buf      []byte
}

var _ feed.Publisher = (*Client)(nil)

// NewClient returns a Client of the server at base (http://host:port)
// with its publish token, giving up on a batch after retryFor of failures
// (0: never), and telling note of each retry.
func NewClient(base, token string, retryFor time.Duration, note func(string)) *Client {
	return &Client{
		url: strings.TrimSuffix(base, "/") + "/api/prices", token: token, retryFor: retryFor, note: note,
		http: &http.Client{Timeout: 60 * time.Second},
	}
}

// Publish posts req's quotes until the server accepts them, refuses them
// for good, retryFor has passed, or ctx ends, with req.Key (a new one if
// it has none) as the Idempotency-Key of every attempt. It returns no
// events: publish needs only to know they were accepted.
func (p *Client) Publish(ctx context.Context, req backend.PublishRequest) ([]stock.StockPriceEvent, error) {
	p.encode(req.Quotes)
	key := req.Key
	if key == "" {
		key = newKey()
	}
	first := time.Now()
	for attempt := 0; ; attempt++ {
		err := p.post(ctx, key)
		if err == nil {
			return nil, nil
		}
		var se *client.StatusError
		if errors.As(err, &se) && !se.Temporary() || ctx.Err() != nil {
			return nil, err
		}
		if p.retryFor > 0 && time.Since(first) > p.retryFor {
			return nil, fmt.Errorf("gave up after %s of failures (--retry-for): %w", p.retryFor, err)
		}
		wait := retryBackoff.Delay(attempt)
		if se != nil {
			wait = max(wait, se.RetryAfter)
		}
		p.note(fmt.Sprintf("%v; sending the batch again in %s", err, wait.Round(time.Millisecond)))
		if !backoff.Sleep(ctx, wait) {
			return nil, ctx.Err()
		}
	}
}

// newKey returns a batch's idempotency key: 128 random bits in hex.
func newKey() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// encode writes the JSON array of quotes into p.buf.
func (p *Client) encode(quotes []stock.Quote) {
	b := append(p.buf[:0], '[')
	for i, q := range quotes {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"symbol":"`...)
		b = append(b, q.Symbol...) // a validated symbol needs no escaping
		b = append(b, `","price":`...)
		b, _ = q.Price.AppendText(b)
		b = append(b, `,"timestamp":"`...)
		b = q.Timestamp.UTC().AppendFormat(b, time.RFC3339Nano)
		b = append(b, `"}`...)
	}
	p.buf = append(b, ']')
}

// post sends p.buf once under key.
func (p *Client) post(ctx context.Context, key string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.url, bytes.NewReader(p.buf))
	if err != nil {
		return err
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+p.token)
	req.Header.Set(KeyHeader, key)
	resp, err := p.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusAccepted {
		io.Copy(io.Discard, resp.Body)
		return nil
	}
	se := client.NewStatusError(resp)
	var item int
	if _, err := fmt.Sscanf(se.Message, "item %d:", &item); err == nil {
		return &itemError{StatusError: se, item: item}
	}
	return se
}

// itemError is a refusal that names the item of the batch at fault.
type itemError struct {
	*client.StatusError
	item int
}

// Item returns the index of the item at fault in its batch.
func (e *itemError) Item() int     { return e.item }
func (e *itemError) Unwrap() error { return e.StatusError }

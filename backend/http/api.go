package http

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/julienschmidt/httprouter"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/access"
	"github.com/stockstream/stockstream/shared/stock"
)

// handleSnapshot serves GET /api/snapshot: the latest event per symbol.
// It takes no filter: a token holder gets the token's symbols.
func (s *Server) handleSnapshot(w http.ResponseWriter, r *http.Request, _ httprouter.Params) {
	grant, ok := s.authorizeRead(w, r)
	if !ok {
		return
	}
	latest, err := s.readerFor(grant).Snapshot(r.Context())
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	if grant.Symbols != nil {
		latest = slices.DeleteFunc(latest, func(l stock.Latest) bool { return !grant.Allows(l.Symbol) })
	}
	if latest == nil {
		latest = []stock.Latest{}
	}
	writeJSON(w, http.StatusOK, latest)
}

// handleStock serves GET /api/stocks/:symbol; a symbol outside the
// caller's token is 403, whether the server has seen it or not.
func (s *Server) handleStock(w http.ResponseWriter, r *http.Request, ps httprouter.Params) {
	sym, grant, ok := s.readableSymbol(w, r, ps)
	if !ok {
		return
	}
	l, ok, err := s.readerFor(grant).Latest(r.Context(), sym)
	switch {
	case err != nil:
		s.writeErr(w, r, err)
	case !ok:
		writeError(w, http.StatusNotFound, "no price for symbol "+sym)
	default:
		writeJSON(w, http.StatusOK, l)
	}
}

// readableSymbol returns the path's symbol and the caller's grant when
// the caller may read the symbol; otherwise it answers 401, 400 or 403 and
// ok is false.
func (s *Server) readableSymbol(w http.ResponseWriter, r *http.Request, ps httprouter.Params) (sym string, grant access.Grant, ok bool) {
	grant, ok = s.authorizeRead(w, r)
	if !ok {
		return "", grant, false
	}
	sym, err := stock.ParseSymbol(ps.ByName("symbol"))
	if err == nil {
		err = grant.Check(sym)
	}
	if err != nil {
		s.writeErr(w, r, err)
		return "", grant, false
	}
	return sym, grant, true
}

// handlePublish serves POST /api/prices: one quote or an array of them,
// answered with 202 and the array of assigned events. With an
// Idempotency-Key, a repeat of a key the broker accepted in the last 24 h
// publishes nothing and answers with the events of the first.
func (s *Server) handlePublish(w http.ResponseWriter, r *http.Request, _ httprouter.Params) {
	if err := s.authorize(r); err != nil {
		if statusOf(err) == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer realm="stockstream"`)
		}
		s.writeErr(w, r, err)
		return
	}
	key, err := ParseIdempotencyKey(r.Header.Values("Idempotency-Key"))
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	quotes, err := s.readQuotes(w, r)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	events, err := s.cfg.Broker.Publish(ctx, backend.PublishRequest{Quotes: quotes, Key: key})
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, events)
}

// authorize checks the bearer token in constant time. Hashing both sides
// first keeps the comparison from leaking the token's length.
func (s *Server) authorize(r *http.Request) error {
	if s.cfg.PublishToken == "" {
		return errorf(http.StatusForbidden, "publishing is disabled: start the server with --publish-token")
	}
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return errorf(http.StatusUnauthorized, "missing bearer token: send Authorization: Bearer <token>")
	}
	got := sha256.Sum256([]byte(strings.TrimSpace(token)))
	want := sha256.Sum256([]byte(s.cfg.PublishToken))
	if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
		return errorf(http.StatusUnauthorized, "invalid bearer token")
	}
	return nil
}

// readQuotes reads and validates the body of a publish request.
func (s *Server) readQuotes(w http.ResponseWriter, r *http.Request) ([]stock.Quote, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return nil, errorf(http.StatusUnsupportedMediaType, "content type must be application/json")
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, errorf(http.StatusRequestEntityTooLarge, "body larger than %d bytes", s.cfg.MaxBody)
		}
		return nil, errorf(http.StatusBadRequest, "reading body: %v", err)
	}
	quotes, err := DecodeQuotes(body, s.cfg.MaxBatch)
	if err != nil {
		return nil, err
	}
	return quotes, checkTimestamps(quotes, time.Now(), s.cfg.MaxFuture)
}

// DecodeQuotes parses a publish body: one quote object or a non-empty array
// of at most max of them. Unknown fields, trailing data and invalid symbols or
// prices are errors that say which item is wrong.
func DecodeQuotes(body []byte, max int) ([]stock.Quote, error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil, errorf(http.StatusBadRequest, `empty body: send {"symbol":"AAPL","price":118.88} or an array of them`)
	}
	var quotes []stock.Quote
	switch body[0] {
	case '{':
		quotes = make([]stock.Quote, 1)
		if err := decodeStrict(body, &quotes[0]); err != nil {
			return nil, err
		}
	case '[':
		if err := decodeStrict(body, &quotes); err != nil {
			return nil, err
		}
	default:
		return nil, errorf(http.StatusBadRequest, "body must be a JSON object or array")
	}
	if len(quotes) == 0 {
		return nil, errorf(http.StatusBadRequest, "empty array: nothing to publish")
	}
	if len(quotes) > max {
		return nil, errorf(http.StatusRequestEntityTooLarge, "%d events in one request, at most %d allowed", len(quotes), max)
	}
	for i := range quotes {
		if err := quotes[i].Validate(); err != nil {
			return nil, errorf(http.StatusBadRequest, "item %d: %v", i, err)
		}
	}
	return quotes, nil
}

// decodeStrict decodes exactly one JSON value with no unknown fields.
func decodeStrict(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errorf(http.StatusBadRequest, "invalid JSON: %v", err)
	}
	if dec.More() {
		return errorf(http.StatusBadRequest, "invalid JSON: data after the value")
	}
	if _, err := dec.Token(); err != io.EOF {
		return errorf(http.StatusBadRequest, "invalid JSON: data after the value")
	}
	return nil
}

// checkTimestamps refuses timestamps before 1970 or more than maxFuture
// ahead of now: a price from the future would start bars and a session
// that real prices could not reach.
func checkTimestamps(quotes []stock.Quote, now time.Time, maxFuture time.Duration) error {
	for i, q := range quotes {
		switch {
		case q.Timestamp.IsZero():
		case q.Timestamp.Before(time.Unix(0, 0)):
			return errorf(http.StatusBadRequest, "item %d: timestamp %s is before 1970", i, q.Timestamp.Format(time.RFC3339Nano))
		case q.Timestamp.After(now.Add(maxFuture)):
			return errorf(http.StatusBadRequest, "item %d: timestamp %s is more than %s ahead of the server's clock (%s)",
				i, q.Timestamp.Format(time.RFC3339Nano), maxFuture, now.UTC().Format(time.RFC3339))
		}
	}
	return nil
}

// handleHealth serves GET /healthz: the process is up.
func (s *Server) handleHealth(w http.ResponseWriter, _ *http.Request, _ httprouter.Params) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// handleReady serves GET /readyz: the broker is reachable.
func (s *Server) handleReady(w http.ResponseWriter, r *http.Request, _ httprouter.Params) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.cfg.Broker.Ready(ctx); err != nil {
		s.log.Warn("not ready", "err", err)
		writeError(w, http.StatusServiceUnavailable, "not ready: the price store cannot be reached")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

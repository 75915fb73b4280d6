package http

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/access"
	"github.com/stockstream/stockstream/shared/stock"
)

// apiError is an error with the HTTP status it answers with.
type apiError struct {
	status int
	msg    string
}

func (e *apiError) Error() string { return e.msg }

// errorf returns an error that answers with status and the formatted
// message.
func errorf(status int, format string, args ...any) error {
	return &apiError{status: status, msg: fmt.Sprintf(format, args...)}
}

// statusOf maps an error to its HTTP status: the one table of it.
func statusOf(err error) int {
	var ae *apiError
	var mbe *http.MaxBytesError
	var ref *access.Refusal
	switch {
	case errors.As(err, &ae):
		return ae.status
	case errors.As(err, &ref):
		return ref.Status
	case errors.As(err, &mbe):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, stock.ErrInvalidSymbol), errors.Is(err, stock.ErrInvalidPrice):
		return http.StatusBadRequest
	case errors.Is(err, backend.ErrTooManySymbols), errors.Is(err, backend.ErrKeyReused):
		return http.StatusUnprocessableEntity
	case errors.Is(err, backend.ErrUnavailable), errors.Is(err, backend.ErrClosed):
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// writeError answers with {"error": msg}.
func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, struct {
		Error string `json:"error"`
	}{msg})
}

// writeErr answers err with its status; internal errors are not described
// to the client. An access refusal carries its WWW-Authenticate challenge
// and is counted by reason.
func (s *Server) writeErr(w http.ResponseWriter, r *http.Request, err error) {
	status := statusOf(err)
	msg := err.Error()
	var ref *access.Refusal
	if errors.As(err, &ref) {
		s.refused(w, r, ref)
	}
	switch status {
	case http.StatusInternalServerError:
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		msg = "internal error"
	case http.StatusServiceUnavailable:
		// The cause names internal addresses: log it, tell the client less.
		s.log.Warn("request refused: broker unavailable", "method", r.Method, "path", r.URL.Path, "err", err)
		msg = "service unavailable: the price store cannot be reached; retry later"
		w.Header().Set("Retry-After", "1")
	}
	writeError(w, status, msg)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"internal error"}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

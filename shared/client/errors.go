package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/stockstream/stockstream/shared/sse"
)

// Errors the client reports.
var (
	// ErrReadTimeout ends a connection on which nothing, not even a
	// heartbeat comment, arrived for the read timeout; the client resumes.
	ErrReadTimeout = errors.New("read timeout: nothing received, not even a heartbeat")
	// ErrNotEventStream ends the sequence when the server answers 200 with
	// something other than text/event-stream: the URL names no stream.
	ErrNotEventStream = errors.New("the response is not an event stream")
	// ErrInvalidURL ends the sequence when no request can be made of the
	// stream's URL.
	ErrInvalidURL = errors.New("invalid stream URL")
	// ErrToken ends the sequence when Connection.Token fails.
	ErrToken = errors.New("no subscriber token")
)

// maxRetryAfter bounds how long a Retry-After may make the client wait.
const maxRetryAfter = time.Hour

// maxErrorBody bounds the part of an error response read for its message.
const maxErrorBody = 4 << 10

// StatusError is an answer other than 200 to a stream request. A permanent
// one (Temporary reports false) ends the sequence; the others are retried.
type StatusError struct {
	Code int
	// Message is the server's JSON {"error": …} message, or the first line
	// of its body.
	Message string
	// RetryAfter is the server's Retry-After, if it sent one.
	RetryAfter time.Duration
}

func (e *StatusError) Error() string {
	s := fmt.Sprintf("server answered %d %s", e.Code, http.StatusText(e.Code))
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Temporary reports whether retrying may succeed: 5xx, 408, 425 and 429 are
// temporary; every other status is a refusal that retrying will not change.
func (e *StatusError) Temporary() bool {
	switch {
	case e.Code >= 500:
		return true
	case e.Code == http.StatusRequestTimeout, e.Code == http.StatusTooEarly, e.Code == http.StatusTooManyRequests:
		return true
	}
	return false
}

// NewStatusError reads the refusal in resp: its code, its message and its
// Retry-After. It reads part of the body but does not close it.
func NewStatusError(resp *http.Response) *StatusError {
	return statusError(resp, time.Now())
}

// statusError is NewStatusError at the time now.
func statusError(resp *http.Response, now time.Time) *StatusError {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	return &StatusError{
		Code:       resp.StatusCode,
		Message:    errorMessage(body),
		RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), now),
	}
}

// errorMessage returns the "error" of a JSON error body, or else the body's
// first line, shortened.
func errorMessage(body []byte) string {
	var e struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(body, &e) == nil && e.Error != "" {
		return clip(e.Error)
	}
	line, _, _ := bytes.Cut(bytes.TrimSpace(body), []byte{'\n'})
	return clip(strings.ToValidUTF8(string(bytes.TrimSpace(line)), "?"))
}

// clip shortens a message from the server to a sensible length.
func clip(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}

// parseRetryAfter reads a Retry-After in seconds or as an HTTP date, capped
// at maxRetryAfter; 0 if absent or malformed.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	var d time.Duration
	if secs, err := strconv.ParseUint(v, 10, 32); err == nil {
		d = time.Duration(secs) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	return max(0, min(d, maxRetryAfter))
}

// permanent reports whether err ends the sequence instead of a reconnect.
func permanent(err error) bool {
	var se *StatusError
	if errors.As(err, &se) {
		return !se.Temporary()
	}
	return errors.Is(err, ErrNotEventStream) || errors.Is(err, sse.ErrTooLong) || errors.Is(err, ErrInvalidURL) || errors.Is(err, ErrToken)
}

// Package access decides who may read what: subscriber tokens (HS256 JWTs
// with an exp and the symbols they grant), read from a request's
// Authorization header, access_token parameter or stockstream_token
// cookie, and what a caller without one gets (everything live, everything
// delayed, or nothing). The HTTP server asks it once per read request, with
// Policy.Check, and filters by the Grant it answers.
package access

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"
)

// Class is the kind of reader a request is, as the metrics count it.
type Class uint8

// Classes of reader.
const (
	// Anonymous reads live without a token (or access control is off).
	Anonymous Class = iota
	// Token holds a valid token: live, its symbols.
	Token
	// Delayed reads without a token, every event Grant.Delay late.
	Delayed
)

// Classes lists every Class, for metrics that show each from the start.
var Classes = []Class{Token, Delayed, Anonymous}

// String returns the class's metric label: "anonymous", "token" or
// "delayed".
func (c Class) String() string {
	switch c {
	case Token:
		return "token"
	case Delayed:
		return "delayed"
	}
	return "anonymous"
}

// Mode is what a caller without a token gets.
type Mode uint8

// Modes of anonymous access.
const (
	// Live serves every symbol live, as without access control.
	Live Mode = iota
	// DelayedMode serves every symbol, each event Config.Delay late.
	DelayedMode
	// None refuses callers without a token with 401.
	None
)

// ParseMode reads --anonymous: live, delayed or none.
func ParseMode(s string) (Mode, error) {
	switch s {
	case "live":
		return Live, nil
	case "delayed":
		return DelayedMode, nil
	case "none":
		return None, nil
	}
	return Live, fmt.Errorf("%q is not live, delayed or none", s)
}

// Grant is what one request may read.
type Grant struct {
	Class Class
	// Symbols are the symbols the request may read; nil means every one.
	Symbols []string
	// Expires is when the token expires, and with it every stream opened
	// with it; zero without a token.
	Expires time.Time
	// Delay, when positive, is how long after the server accepted an
	// event this reader may have it (the delayed tier); zero is live.
	Delay time.Duration
}

// Allows reports whether the grant covers symbol.
func (g Grant) Allows(symbol string) bool {
	return g.Symbols == nil || slices.Contains(g.Symbols, symbol)
}

// Filter returns the symbol filter of a stream that asked for requested:
// requested itself when the grant covers all of it, the grant's symbols
// when it asked for none (nil: every symbol), and a 403 Refusal naming the
// first symbol outside the grant otherwise.
func (g Grant) Filter(requested []string) ([]string, error) {
	if len(requested) == 0 {
		return g.Symbols, nil
	}
	for _, s := range requested {
		if !g.Allows(s) {
			return nil, scopeRefusal(s)
		}
	}
	return requested, nil
}

// Check returns a 403 Refusal if the grant does not cover symbol.
func (g Grant) Check(symbol string) error {
	if !g.Allows(symbol) {
		return scopeRefusal(symbol)
	}
	return nil
}

func scopeRefusal(symbol string) *Refusal {
	return &Refusal{Status: http.StatusForbidden, Reason: ReasonScope,
		Message: "your token does not grant symbol " + symbol}
}

// Reasons a read is refused, as metrics count them.
const (
	ReasonMissing = "missing" // no token where one is needed
	ReasonExpired = "expired"
	ReasonInvalid = "invalid"
	ReasonTooLong = "too_long"
	ReasonScope   = "scope" // a symbol the token does not grant
	ReasonCap     = "cap"   // the per-client stream cap (counted by the server)
)

// Refusal is why a request may not read: a 401 (no valid token where one
// is needed) or a 403 (a symbol outside the token's).
type Refusal struct {
	Status  int    // http.StatusUnauthorized or http.StatusForbidden
	Reason  string // one of the Reason constants
	Message string // for the caller; never holds the token
}

func (r *Refusal) Error() string { return r.Message }

// Challenge returns the WWW-Authenticate header value of the refusal.
func (r *Refusal) Challenge() string {
	switch {
	case r.Status == http.StatusForbidden:
		return `Bearer realm="stockstream", error="insufficient_scope"`
	case r.Reason == ReasonMissing:
		return `Bearer realm="stockstream"`
	}
	return `Bearer realm="stockstream", error="invalid_token"`
}

// Config configures a Policy.
type Config struct {
	// Key verifies subscriber tokens; empty turns access control off:
	// every caller reads everything live, tokens are not looked at.
	Key []byte
	// Anonymous is what callers without a token get.
	Anonymous Mode
	// Delay is how late DelayedMode readers get each event.
	Delay time.Duration
	// Now is the clock; time.Now if nil.
	Now func() time.Time
}

// Policy decides what requests may read.
type Policy struct {
	cfg Config
}

// New returns the Policy of cfg.
func New(cfg Config) *Policy {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Policy{cfg: cfg}
}

// Enabled reports whether tokens are checked at all.
func (p *Policy) Enabled() bool { return len(p.cfg.Key) > 0 }

// Check returns what r may read. A request that carries a token (see
// TokenFrom) gets the token's grant, or a 401 Refusal if the token fails
// any check: it is never read as anonymous. One without a token gets the
// anonymous grant, or a 401 Refusal under None.
func (p *Policy) Check(r *http.Request) (Grant, error) {
	if !p.Enabled() {
		return Grant{Class: Anonymous}, nil
	}
	tok, ok := TokenFrom(r)
	if !ok {
		return p.anonymous()
	}
	return p.Verify(tok)
}

// Anonymous returns what a caller without a token gets, or a 401 Refusal
// under None.
func (p *Policy) anonymous() (Grant, error) {
	switch {
	case !p.Enabled() || p.cfg.Anonymous == Live:
		return Grant{Class: Anonymous}, nil
	case p.cfg.Anonymous == DelayedMode:
		return Grant{Class: Delayed, Delay: p.cfg.Delay}, nil
	}
	return Grant{}, &Refusal{Status: http.StatusUnauthorized, Reason: ReasonMissing,
		Message: "a subscriber token is required: send Authorization: Bearer <token>, access_token=<token>, or sign in"}
}

// Anonymous returns what a caller without a token gets; ok is false under
// None, where it gets nothing.
func (p *Policy) Anonymous() (g Grant, ok bool) {
	g, err := p.anonymous()
	return g, err == nil
}

// Verify returns the grant of token, or a 401 Refusal that says why it
// fails.
func (p *Policy) Verify(token string) (Grant, error) {
	c, err := Verify(p.cfg.Key, token, p.cfg.Now())
	if err != nil {
		ref := &Refusal{Status: http.StatusUnauthorized, Reason: ReasonInvalid, Message: err.Error()}
		switch {
		case errors.Is(err, ErrExpired):
			ref.Reason = ReasonExpired
		case errors.Is(err, ErrTooLong):
			ref.Reason = ReasonTooLong
		}
		return Grant{}, ref
	}
	return Grant{Class: Token, Symbols: c.Symbols, Expires: c.Expires}, nil
}

//go:build !linux

package poller

import "log/slog"

// Poller is not available on this system; New says so.
type Poller struct{}

// New returns ErrUnsupported.
func New(*slog.Logger) (*Poller, error) { return nil, ErrUnsupported }

// Add is never called: New fails.
func (*Poller) Add(int, Handler) (Token, error) { return Token{}, ErrUnsupported }

// WantWritable is never called: New fails.
func (*Poller) WantWritable(Token) error { return ErrUnsupported }

// Remove is never called: New fails.
func (*Poller) Remove(Token) {}

// Close is never called: New fails.
func (*Poller) Close() {}

// Supported reports whether this system has the poller: it does not.
const Supported = false

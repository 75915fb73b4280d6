package redis

import (
	"strings"
)

// Kinds of malformed stored values, as Options.Malformed receives them.
const (
	malformedEntry  = "entry"  // a stream entry
	malformedLatest = "latest" // a value of the latest hash
	malformedBars   = "bars"   // a bar ring, or records in it
)

// skipMalformed logs a malformed value that a read leaves out and counts
// it. Whatever is stored, a read serves what it can decode and never
// fails on what it cannot: the rest of a snapshot, a replay without the
// entry, a symbol without the price (404).
func (b *Broker) skipMalformed(kind string, n int, err error) {
	if n == 0 {
		return
	}
	b.log.Warn("redis: skipping malformed stored value", "kind", kind, "count", n, "err", err)
	if b.malformed != nil {
		for range n {
			b.malformed(kind)
		}
	}
}

// isWrongType reports whether err is Redis refusing a command on a key that
// holds another type than the command's.
func isWrongType(err error) bool {
	return err != nil && strings.HasPrefix(err.Error(), "WRONGTYPE")
}

package stock

import "strconv"

// An event id is the event's position in the stream, written as a plain
// decimal integer: ids are strictly increasing in stream order, so the
// larger number is the newer event.

// maxIDLen is the length of the largest uint64 in decimal.
const maxIDLen = 20

// FormatID returns the wire id of stream position seq.
func FormatID(seq uint64) string { return strconv.FormatUint(seq, 10) }

// ParseID parses a wire id. ok is false for anything that is not a plain
// decimal position (signs, spaces, empty, too large): such an id names no
// event.
func ParseID(id string) (seq uint64, ok bool) {
	if id == "" || len(id) > maxIDLen || id[0] == '+' || id[0] == '-' {
		return 0, false
	}
	seq, err := strconv.ParseUint(id, 10, 64)
	return seq, err == nil
}

// NewerID reports whether id a names a later event than id b. A valid id is
// newer than an empty or invalid one; an invalid a is never newer.
func NewerID(a, b string) bool {
	x, ok := ParseID(a)
	if !ok {
		return false
	}
	y, ok := ParseID(b)
	return !ok || x > y
}

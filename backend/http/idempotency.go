package http

import "net/http"

// MaxKeyLen bounds the length of an Idempotency-Key.
const MaxKeyLen = 128

// ParseIdempotencyKey reads the Idempotency-Key header values of a publish:
// none, or one key of 1 to MaxKeyLen printable ASCII characters (space to
// tilde; net/http trims spaces around a header value). Anything else (an
// empty or longer key, another byte, the header given twice) is a 400.
func ParseIdempotencyKey(values []string) (string, error) {
	switch len(values) {
	case 0:
		return "", nil
	case 1:
	default:
		return "", errorf(http.StatusBadRequest, "Idempotency-Key given %d times: send one", len(values))
	}
	key := values[0]
	if key == "" || len(key) > MaxKeyLen {
		return "", errorf(http.StatusBadRequest, "Idempotency-Key must be 1 to %d printable ASCII characters, not %d bytes", MaxKeyLen, len(key))
	}
	for i := range len(key) {
		if key[i] < ' ' || key[i] > '~' {
			return "", errorf(http.StatusBadRequest, "Idempotency-Key: byte %d (%#02x) is not printable ASCII", i, key[i])
		}
	}
	return key, nil
}

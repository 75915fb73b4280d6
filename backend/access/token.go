package access

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/stockstream/stockstream/shared/stock"
)

// MaxTokenLen bounds a token in bytes; a longer one is refused unread.
const MaxTokenLen = 4096

// MinKeyLen is the shortest key accepted: HS256 wants at least 256 bits.
const MinKeyLen = 32

// AllSymbols in a token's symbols claim grants every symbol.
const AllSymbols = "*"

// Errors of a token that fails verification; Verify wraps one of them.
var (
	// ErrExpired is a token whose exp has passed.
	ErrExpired = errors.New("token expired")
	// ErrInvalid is a token that is not one this server signed with the
	// claims it needs.
	ErrInvalid = errors.New("invalid token")
	// ErrTooLong is a token over MaxTokenLen bytes.
	ErrTooLong = errors.New("token too long")
)

// claims are what a subscriber token carries: exp (required) and the
// symbols it may read.
type claims struct {
	jwt.RegisteredClaims
	Symbols []string `json:"symbols"`
}

// Claims is what a verified token grants.
type Claims struct {
	// Symbols are the token's symbols, upper-cased, without duplicates, in
	// the token's order; nil when the token grants every symbol ("*").
	Symbols []string
	// Expires is the token's exp: from then on it is refused.
	Expires time.Time
}

// parser verifies HS256 only, requires exp, allows no clock leeway (a
// token is refused from its exp on, the instant a stream of it ends) and
// reads only canonical base64, so each token has one spelling.
func parser(now func() time.Time) *jwt.Parser {
	return jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(now),
		jwt.WithStrictDecoding(),
	)
}

// Verify checks token against key at the time now: an HS256 JWT signed
// with key, at most MaxTokenLen bytes, with an exp after now and a
// non-empty array of valid symbols (or "*"). The error wraps ErrTooLong,
// ErrExpired or ErrInvalid and never quotes the token.
func Verify(key []byte, token string, now time.Time) (Claims, error) {
	if len(token) > MaxTokenLen {
		return Claims{}, fmt.Errorf("%w: %d bytes, at most %d", ErrTooLong, len(token), MaxTokenLen)
	}
	var c claims
	_, err := parser(func() time.Time { return now }).ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return key, nil })
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return Claims{}, fmt.Errorf("%w at %s", ErrExpired, c.ExpiresAt.UTC().Format(time.RFC3339))
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return Claims{}, fmt.Errorf("%w: no exp claim", ErrInvalid)
	case err != nil:
		return Claims{}, fmt.Errorf("%w: %s", ErrInvalid, reason(err))
	}
	syms, err := scope(c.Symbols)
	if err != nil {
		return Claims{}, err
	}
	return Claims{Symbols: syms, Expires: c.ExpiresAt.Time}, nil
}

// reason says briefly why the library refused a token, in words that
// give nothing of the token or the key away.
func reason(err error) string {
	switch {
	case errors.Is(err, jwt.ErrTokenMalformed):
		return "not a JWT"
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return "not signed by this server with HS256"
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		return "not valid yet (nbf)"
	default:
		return "claims not valid"
	}
}

// scope reads the symbols claim: nil for every symbol.
func scope(claimed []string) ([]string, error) {
	if len(claimed) == 0 {
		return nil, fmt.Errorf("%w: no symbols claim (a non-empty array; [\"*\"] for every symbol)", ErrInvalid)
	}
	if slices.Contains(claimed, AllSymbols) {
		return nil, nil
	}
	syms := make([]string, 0, len(claimed))
	for _, s := range claimed {
		sym, err := stock.ParseSymbol(s)
		if err != nil {
			return nil, fmt.Errorf("%w: symbols claim: %v", ErrInvalid, err)
		}
		if !slices.Contains(syms, sym) {
			syms = append(syms, sym)
		}
	}
	return syms, nil
}

// Mint returns an HS256 token signed with key that grants symbols (or
// every symbol with "*") until exp.
func Mint(key []byte, symbols []string, exp time.Time) (string, error) {
	if len(key) < MinKeyLen {
		return "", fmt.Errorf("key of %d bytes: at least %d", len(key), MinKeyLen)
	}
	if _, err := scope(symbols); err != nil {
		return "", err
	}
	c := claims{RegisteredClaims: jwt.RegisteredClaims{ExpiresAt: jwt.NewNumericDate(exp)}, Symbols: symbols}
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(key)
	if err == nil && len(tok) > MaxTokenLen {
		return "", fmt.Errorf("%w: %d symbols make a token of %d bytes, at most %d", ErrTooLong, len(symbols), len(tok), MaxTokenLen)
	}
	return tok, err
}

// Package accesstest makes subscriber tokens for tests: valid ones and one
// for each way a token can be refused.
package accesstest

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/stockstream/stockstream/backend/access"
)

// BadToken is a token that a server with key must refuse, and the
// reason it counts the refusal under.
type BadToken struct {
	Name   string
	Token  string
	Reason string
}

// BadTokens returns one token for each way a token can fail against key
// at the time now, for tests of every route that reads with one: alg
// none, another algorithm, another key, expired, no exp, no or empty
// symbols, an invalid symbol, tampered, oversized and garbage.
func BadTokens(key []byte, now time.Time) []BadToken {
	exp := now.Add(time.Hour).Unix()
	sign := func(method jwt.SigningMethod, k any, c jwt.MapClaims) string {
		s, err := jwt.NewWithClaims(method, c).SignedString(k)
		if err != nil {
			panic(err)
		}
		return s
	}
	good := sign(jwt.SigningMethodHS256, key, jwt.MapClaims{"exp": exp, "symbols": []string{"AAPL"}})
	parts := strings.Split(good, ".")
	// The payload of good with another symbol, under good's signature.
	other, _ := json.Marshal(map[string]any{"exp": exp, "symbols": []string{"*"}})
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString(other) + "." + parts[2]
	none := sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, jwt.MapClaims{"exp": exp, "symbols": []string{"*"}})
	return []BadToken{
		{"alg none", none, access.ReasonInvalid},
		{"alg none without the dot", strings.TrimSuffix(none, "."), access.ReasonInvalid},
		{"HS512", sign(jwt.SigningMethodHS512, key, jwt.MapClaims{"exp": exp, "symbols": []string{"*"}}), access.ReasonInvalid},
		{"other key", sign(jwt.SigningMethodHS256, []byte(strings.Repeat("k", 32)), jwt.MapClaims{"exp": exp, "symbols": []string{"*"}}), access.ReasonInvalid},
		{"expired", sign(jwt.SigningMethodHS256, key, jwt.MapClaims{"exp": now.Add(-time.Second).Unix(), "symbols": []string{"*"}}), access.ReasonExpired},
		{"no exp", sign(jwt.SigningMethodHS256, key, jwt.MapClaims{"symbols": []string{"*"}}), access.ReasonInvalid},
		{"exp not a number", sign(jwt.SigningMethodHS256, key, jwt.MapClaims{"exp": "tomorrow", "symbols": []string{"*"}}), access.ReasonInvalid},
		{"no symbols", sign(jwt.SigningMethodHS256, key, jwt.MapClaims{"exp": exp}), access.ReasonInvalid},
		{"empty symbols", sign(jwt.SigningMethodHS256, key, jwt.MapClaims{"exp": exp, "symbols": []string{}}), access.ReasonInvalid},
		{"symbols not an array", sign(jwt.SigningMethodHS256, key, jwt.MapClaims{"exp": exp, "symbols": "*"}), access.ReasonInvalid},
		{"invalid symbol", sign(jwt.SigningMethodHS256, key, jwt.MapClaims{"exp": exp, "symbols": []string{"AAPL", "a b"}}), access.ReasonInvalid},
		{"not valid yet", sign(jwt.SigningMethodHS256, key, jwt.MapClaims{"exp": exp, "nbf": now.Add(time.Hour).Unix(), "symbols": []string{"*"}}), access.ReasonInvalid},
		{"tampered", tampered, access.ReasonInvalid},
		{"oversized", sign(jwt.SigningMethodHS256, key, jwt.MapClaims{"exp": exp, "symbols": []string{"*"}, "pad": strings.Repeat("x", access.MaxTokenLen)}), access.ReasonTooLong},
		{"garbage", "not-a-token", access.ReasonInvalid},
		{"empty", "", access.ReasonInvalid},
	}
}

// Key is a subscriber key for tests.
var Key = []byte("test-subscriber-key-0123456789abcdef")

// Token mints a token with key for symbols, valid for ttl from now, or
// panics.
func Token(key []byte, ttl time.Duration, symbols ...string) string {
	tok, err := access.Mint(key, symbols, time.Now().Add(ttl))
	if err != nil {
		panic(err)
	}
	return tok
}

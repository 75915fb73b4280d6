package access_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stockstream/stockstream/backend/access"
	"github.com/stockstream/stockstream/backend/access/accesstest"
)

var key = accesstest.Key

func TestVerifyGrantsTheTokensSymbols(t *testing.T) {
	now := time.Now()
	exp := now.Add(time.Hour).Truncate(time.Second)
	tok, err := access.Mint(key, []string{"aapl", "MSFT", "AAPL"}, exp)
	if err != nil {
		t.Fatal(err)
	}
	c, err := access.Verify(key, tok, now)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.Symbols, []string{"AAPL", "MSFT"}) || !c.Expires.Equal(exp) {
		t.Errorf("got %v until %v, want [AAPL MSFT] until %v", c.Symbols, c.Expires, exp)
	}
	all, err := access.Verify(key, accesstest.Token(key, time.Minute, "*"), now)
	if err != nil || all.Symbols != nil {
		t.Errorf(`["*"]: symbols %v, err %v; want nil (every symbol)`, all.Symbols, err)
	}
}

func TestVerifyRefusesEveryBadToken(t *testing.T) {
	now := time.Now()
	for _, bt := range accesstest.BadTokens(key, now) {
		t.Run(bt.Name, func(t *testing.T) {
			p := access.New(access.Config{Key: key, Now: func() time.Time { return now }})
			_, err := p.Verify(bt.Token)
			var ref *access.Refusal
			if !errors.As(err, &ref) {
				t.Fatalf("accepted, or refused without a Refusal: %v", err)
			}
			if ref.Status != http.StatusUnauthorized || ref.Reason != bt.Reason {
				t.Errorf("refused with %d %s, want 401 %s", ref.Status, ref.Reason, bt.Reason)
			}
			if bt.Token != "" && strings.Contains(ref.Message, bt.Token) {
				t.Errorf("message quotes the token: %s", ref.Message)
			}
		})
	}
}

func TestExpiryHasNoLeeway(t *testing.T) {
	exp := time.Now().Add(time.Hour).Truncate(time.Second)
	tok, _ := access.Mint(key, []string{"*"}, exp)
	if _, err := access.Verify(key, tok, exp.Add(-time.Millisecond)); err != nil {
		t.Errorf("refused 1ms before exp: %v", err)
	}
	if _, err := access.Verify(key, tok, exp); !errors.Is(err, access.ErrExpired) {
		t.Errorf("at exp: %v, want ErrExpired", err)
	}
}

func TestMintRefusesShortKeysAndBadSymbols(t *testing.T) {
	exp := time.Now().Add(time.Hour)
	if _, err := access.Mint([]byte("short"), []string{"*"}, exp); err == nil {
		t.Error("minted with a 5-byte key")
	}
	for _, syms := range [][]string{nil, {}, {"a b"}} {
		if _, err := access.Mint(key, syms, exp); err == nil {
			t.Errorf("minted for symbols %q", syms)
		}
	}
}

func TestTokenFromPrecedence(t *testing.T) {
	for _, c := range []struct {
		name   string
		header string
		query  string
		cookie string
		want   string
		ok     bool
	}{
		{"none", "", "", "", "", false},
		{"header first", "Bearer h", "access_token=q", "c", "h", true},
		{"bearer in any case", "bearer h", "", "", "h", true},
		{"query before cookie", "", "access_token=q", "c", "q", true},
		{"cookie last", "", "symbols=AAPL", "c", "c", true},
		{"other schemes are not tokens", "Basic dXNlcjpwdw==", "", "c", "c", true},
		{"an empty bearer is a bad token", "Bearer ", "", "c", "", true},
		{"an empty access_token is a bad token", "", "access_token=", "c", "", true},
		{"an empty cookie is no token", "", "", "", "", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/stocks?"+c.query, nil)
			if c.header != "" {
				r.Header.Set("Authorization", c.header)
			}
			if c.cookie != "" || c.name == "an empty cookie is no token" {
				r.AddCookie(&http.Cookie{Name: access.CookieName, Value: c.cookie})
			}
			got, ok := access.TokenFrom(r)
			if got != c.want || ok != c.ok {
				t.Errorf("TokenFrom = %q, %v; want %q, %v", got, ok, c.want, c.ok)
			}
		})
	}
}

func TestCheckAnonymousModes(t *testing.T) {
	req := httptest.NewRequest("GET", "/stocks", nil)
	for _, c := range []struct {
		mode   access.Mode
		class  access.Class
		delay  time.Duration
		status int
	}{
		{access.Live, access.Anonymous, 0, 0},
		{access.DelayedMode, access.Delayed, 15 * time.Minute, 0},
		{access.None, 0, 0, http.StatusUnauthorized},
	} {
		p := access.New(access.Config{Key: key, Anonymous: c.mode, Delay: 15 * time.Minute})
		g, err := p.Check(req)
		if c.status != 0 {
			var ref *access.Refusal
			if !errors.As(err, &ref) || ref.Status != c.status || ref.Reason != access.ReasonMissing {
				t.Errorf("mode %d: %v, want a %d missing refusal", c.mode, err, c.status)
			}
			continue
		}
		if err != nil || g.Class != c.class || g.Delay != c.delay || g.Symbols != nil {
			t.Errorf("mode %d: %+v, %v; want class %s delay %s, every symbol", c.mode, g, err, c.class, c.delay)
		}
	}
}

func TestCheckWithoutKeyIgnoresTokens(t *testing.T) {
	p := access.New(access.Config{Anonymous: access.None})
	r := httptest.NewRequest("GET", "/stocks?access_token=garbage", nil)
	if g, err := p.Check(r); err != nil || g.Class != access.Anonymous || g.Symbols != nil {
		t.Errorf("without a key: %+v, %v; want anonymous, every symbol", g, err)
	}
}

func TestCheckNeverReadsABadTokenAsAnonymous(t *testing.T) {
	p := access.New(access.Config{Key: key, Anonymous: access.Live})
	r := httptest.NewRequest("GET", "/stocks?access_token=garbage", nil)
	if _, err := p.Check(r); err == nil {
		t.Error("a garbage token was served as anonymous")
	}
}

func TestGrantFilter(t *testing.T) {
	g := access.Grant{Class: access.Token, Symbols: []string{"AAPL", "MSFT"}}
	if f, err := g.Filter(nil); err != nil || !slices.Equal(f, g.Symbols) {
		t.Errorf("no filter: %v, %v; want the token's symbols", f, err)
	}
	if f, err := g.Filter([]string{"MSFT"}); err != nil || !slices.Equal(f, []string{"MSFT"}) {
		t.Errorf("MSFT: %v, %v", f, err)
	}
	var ref *access.Refusal
	if _, err := g.Filter([]string{"MSFT", "NEVERSEEN"}); !errors.As(err, &ref) || ref.Status != http.StatusForbidden || ref.Reason != access.ReasonScope {
		t.Errorf("outside the token: %v, want 403 scope", err)
	}
	if f, err := (access.Grant{}).Filter([]string{"ANY"}); err != nil || !slices.Equal(f, []string{"ANY"}) {
		t.Errorf("every symbol: %v, %v", f, err)
	}
}

func TestParseMode(t *testing.T) {
	for s, want := range map[string]access.Mode{"live": access.Live, "delayed": access.DelayedMode, "none": access.None} {
		if m, err := access.ParseMode(s); err != nil || m != want {
			t.Errorf("ParseMode(%q) = %v, %v", s, m, err)
		}
	}
	if _, err := access.ParseMode("Live"); err == nil {
		t.Error("ParseMode accepted Live")
	}
}

// FuzzVerify checks that no input makes Verify panic, accept a token it
// did not sign, or quote the token in its error.
func FuzzVerify(f *testing.F) {
	now := time.Unix(1_800_000_000, 0)
	for _, bt := range accesstest.BadTokens(key, now) {
		f.Add(bt.Token)
	}
	good, _ := access.Mint(key, []string{"AAPL"}, now.Add(time.Hour))
	f.Add(good)
	f.Add("eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjFlMzAwLCJzeW1ib2xzIjpbIioiXX0.x")
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := access.Verify(key, tok, now)
		if err != nil {
			if len(tok) > 8 && strings.Contains(err.Error(), tok) {
				t.Fatalf("error quotes the token: %v", err)
			}
			return
		}
		if tok != good {
			t.Fatalf("accepted a token it did not sign: %q → %+v", tok, c)
		}
	})
}

package redact_test

import (
	"strings"
	"testing"

	"github.com/stockstream/stockstream/backend/redact"
)

func TestURLHidesEveryPassword(t *testing.T) {
	for in, want := range map[string]string{
		"memory":                       "memory",
		"redis://127.0.0.1:6379/0":     "redis://127.0.0.1:6379/0",
		"redis://user:s3cret@h:6379/0": "redis://user:xxxxx@h:6379/0",
		"redis://:s3cret@h:6379/0":     "redis://:xxxxx@h:6379/0",
		"redis-sentinel://s:26379/0?master_name=m&password=s3cret": "redis-sentinel://s:26379/0?master_name=m&password=xxxxx",
		"redis://user:s3cret@[::1":                                 "(unparsable)",
	} {
		if got := redact.URL(in); got != want {
			t.Errorf("URL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAccessTokenHidesTheTokenAsGivenAndEscaped(t *testing.T) {
	tok := "eyJ.a+b/c=.sig"
	hide := redact.AccessToken("http://h/stocks?symbols=A&access_token=" + strings.NewReplacer("+", "%2B", "/", "%2F", "=", "%3D").Replace(tok))
	msg := `Get "http://h/stocks?access_token=eyJ.a%2Bb%2Fc%3D.sig": 401 for eyJ.a+b/c=.sig`
	got := hide(msg)
	if strings.Contains(got, "eyJ") || strings.Count(got, redact.Redacted) != 2 {
		t.Fatalf("hide(%q) = %q, want both forms of the token redacted", msg, got)
	}
	if same := redact.AccessToken("http://h/stocks")("a message"); same != "a message" {
		t.Fatalf("a URL without a token changed a message to %q", same)
	}
	if same := redact.AccessToken("http://h/%zz")("a message"); same != "a message" {
		t.Fatalf("an unparsable URL changed a message to %q", same)
	}
}

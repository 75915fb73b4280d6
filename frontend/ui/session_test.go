package ui

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/stockstream/stockstream/frontend/fetch"
	"github.com/stockstream/stockstream/frontend/live"
	"github.com/stockstream/stockstream/frontend/sse"
)

func TestJudge(t *testing.T) {
	exp := time.Date(2025, 6, 16, 9, 30, 5, 0, time.Local)
	token := session{Symbols: []string{"AAPL", "MSFT"}, Exp: exp}
	all := session{Symbols: []string{"*"}}
	delayed := session{Symbols: []string{"*"}, Delay: 900}
	none := session{Symbols: []string{}}
	cases := []struct {
		name      string
		held, now session
		symbols   []string
		kind      string // "" when the page may read
		says      string
	}{
		{"anonymous live", session{}, all, []string{"TSLA"}, "", ""},
		{"delayed", all, delayed, nil, "", ""},
		{"token, its symbols", session{}, token, []string{"MSFT"}, "", ""},
		{"token, every symbol it grants", token, token, nil, "", ""},
		{"a new token from another tab", token, session{Symbols: []string{"*"}, Exp: exp.Add(time.Hour)}, nil, "", ""},
		{"ended, read as anonymous", token, delayed, nil, refusalEnded, "ended at 09:30:05"},
		{"signed out in another window", session{Symbols: []string{"AAPL"}, Exp: time.Now().Add(time.Hour)}, delayed, nil, refusalEnded, "this browser signed out"},
		{"ended, cookie still sent", token, session{Symbols: []string{}, Error: "token expired at 2025-06-16T07:30:05Z"}, nil, refusalEnded, "Sign in again"},
		{"ended under none", token, none, nil, refusalEnded, "ended"},
		{"none", session{}, none, nil, refusalRefused, "subscribers only"},
		{"bad cookie", session{}, session{Symbols: []string{}, Error: "invalid token: not a JWT"}, nil, refusalRefused, "invalid token: not a JWT"},
		{"scope", token, token, []string{"AAPL", "TSLA"}, refusalScope, "does not grant TSLA"},
	}
	for _, c := range cases {
		r := judge(c.held, c.now, c.symbols)
		switch {
		case c.kind == "" && r != nil:
			t.Errorf("%s: refused: %+v", c.name, r)
		case c.kind != "" && (r == nil || r.Kind != c.kind || !strings.Contains(r.Text, c.says)):
			t.Errorf("%s: %+v, want %s saying %q", c.name, r, c.kind, c.says)
		}
	}
}

func TestFormatDelay(t *testing.T) {
	for d, want := range map[time.Duration]string{
		15 * time.Minute:                    "15 min",
		90 * time.Second:                    "1 min 30 s",
		time.Hour + 30*time.Minute:          "1 h 30 min",
		45 * time.Second:                    "45 s",
		1500 * time.Millisecond:             "2 s",
		0:                                   "0 s",
		24*time.Hour + 500*time.Microsecond: "24 h",
	} {
		if got := formatDelay(d); got != want {
			t.Errorf("formatDelay(%v) = %q, want %q", d, got, want)
		}
	}
	if got := (session{Delay: 900}).delay(); got != 15*time.Minute {
		t.Errorf("delay of 900 s: %v", got)
	}
	html := app.HTMLString(delayTag(15 * time.Minute))
	if !strings.Contains(html, `data-delay="900"`) || !strings.Contains(html, ">Delayed 15 min<") {
		t.Errorf("delay tag: %s", html)
	}
}

func TestAccessBarStates(t *testing.T) {
	exp := time.Date(2025, 6, 16, 9, 30, 5, 0, time.Local)
	cases := []struct {
		name     string
		bar      accessBar
		want     []string
		dontWant []string
	}{
		{"server rendered", accessBar{},
			[]string{`data-signin-input`, `data-signin-submit`, `<fieldset disabled>`, `for="signin-token"`, `type="password"`},
			[]string{`data-signout`, `data-refusal`, `data-signin-error`}},
		{"anonymous", accessBar{Session: session{Symbols: []string{"*"}}, Ready: true},
			[]string{`data-signin-input`, `aria-invalid="false"`},
			[]string{`<fieldset disabled>`, `data-signout`}},
		{"signed in", accessBar{Session: session{Symbols: []string{"AAPL", "MSFT"}, Exp: exp}, Ready: true},
			[]string{`data-signout`, `Signed in: AAPL, MSFT, live until 09:30:05.`, `role="status"`},
			[]string{`data-signin-input`}},
		{"every symbol", accessBar{Session: session{Symbols: []string{"*"}, Exp: exp}, Ready: true},
			[]string{`Signed in: every symbol`}, nil},
		{"refused", accessBar{Session: session{Symbols: []string{}}, Refusal: &readRefusal{Kind: refusalRefused, Text: "subscribers only"}, Ready: true},
			[]string{`role="alert"`, `data-refusal="refused"`, `subscribers only`, `data-signin-input`},
			[]string{`data-signout`}},
		{"ended", accessBar{Session: session{Symbols: []string{"*"}, Delay: 900}, Refusal: &readRefusal{Kind: refusalEnded, Text: "ended"}, Ready: true},
			[]string{`data-refusal="ended"`, `data-signin-input`, `data-signout`}, nil},
		{"scope", accessBar{Session: session{Symbols: []string{"AAPL"}, Exp: exp}, Refusal: &readRefusal{Kind: refusalScope, Text: "TSLA"}, Ready: true},
			[]string{`data-refusal="scope"`, `data-signout`}, []string{`data-signin-input`}},
		{"sign-in refused", accessBar{Ready: true, err: "Sign-in refused: token expired."},
			[]string{`data-signin-error`, `id="signin-error"`, `aria-describedby="signin-error"`, `role="alert"`}, []string{`aria-invalid="false"`}},
	}
	for _, c := range cases {
		// The fieldset's attributes come in any order.
		html := strings.Replace(app.HTMLString(&c.bar), ` class="signin-fields"`, "", 1)
		for _, w := range c.want {
			if !strings.Contains(html, w) {
				t.Errorf("%s: lacks %s:\n%s", c.name, w, html)
			}
		}
		for _, w := range c.dontWant {
			if strings.Contains(html, w) {
				t.Errorf("%s: has %s:\n%s", c.name, w, html)
			}
		}
	}
}

func TestStoppedBadgeAndNote(t *testing.T) {
	html := app.HTMLString(&badge{Status: live.StatusOffline, Stopped: true})
	if !strings.Contains(html, `data-status="offline"`) || !strings.Contains(html, ">Stopped<") {
		t.Errorf("stopped badge: %s", html)
	}
	at := time.Date(2025, 6, 16, 9, 30, 5, 0, time.Local)
	for _, c := range []struct {
		note  statusNote
		text  string
		stale bool
	}{
		{statusNote{Status: live.StatusOffline, Stopped: true, AsOf: at}, "Stopped: showing the last prices read, from 09:30:05.", true},
		{statusNote{Status: live.StatusOffline, Stopped: true, Empty: true}, "Stopped: no prices", false},
		{statusNote{Status: live.StatusLive, Delay: 15 * time.Minute, AsOf: at}, "Delayed: prices arrive 15 min after they trade.", false},
	} {
		html := app.HTMLString(&c.note)
		if !strings.Contains(html, c.text) || strings.Contains(html, "data-stale") != c.stale {
			t.Errorf("%+v: %s", c.note, html)
		}
	}
}

func TestFailureSaysWhy(t *testing.T) {
	for _, c := range []struct {
		status int
		body   string
		want   string
	}{
		{401, `{"error":"token expired at 2025-06-16T07:30:05Z"}`, "Sign-in refused: token expired at 2025-06-16T07:30:05Z."},
		{400, `{"error":"token too long"}`, "Sign-in refused: token too long."},
		{503, `{"error":"broker down"}`, "Sign-in failed: broker down (HTTP 503)."},
		{502, `<html>`, "Sign-in failed: the server answered HTTP 502."},
	} {
		if got := failure("Sign-in", fetchResponse(c.status, c.body)); got != c.want {
			t.Errorf("%d %s: %q, want %q", c.status, c.body, got, c.want)
		}
	}
}

func fetchResponse(status int, body string) fetch.Response {
	return fetch.Response{Status: status, Body: body}
}

// TestAnEndedSessionStaysEnded: the check at the token's exp and the
// stream's failure ask at the same time; the second answer, which no
// longer sees a token, keeps the page stopped with the first's reason.
func TestAnEndedSessionStaysEnded(t *testing.T) {
	exp := time.Now().Add(-time.Second)
	stream := live.New(live.Config{Dial: func(string, []string, sse.Handlers) sse.Stream { return idleStream{} }})
	p := &page{stream: stream, sess: sessionState{info: session{Symbols: []string{"AAPL"}, Exp: exp}, checkAt: exp}}
	expired := fetch.Response{Status: 200, Body: `{"symbols":[],"delay":0,"error":"token expired"}`}
	first := p.takeSession(app.Context{}, expired)
	second := p.takeSession(app.Context{}, fetch.Response{Status: 200, Body: `{"symbols":["*"],"delay":900}`})
	if first == nil || first.Kind != refusalEnded || second != first || p.sess.refusal != first {
		t.Errorf("answers: %+v then %+v; the page holds %+v", first, second, p.sess.refusal)
	}
	if p.sess.info.Delay != 900 {
		t.Errorf("the page did not take the latest answer: %+v", p.sess.info)
	}
	if got := p.takeSession(app.Context{}, fetch.Response{Err: errors.New("offline")}); got != nil {
		t.Errorf("no answer refused the page: %+v", got)
	}
}

// TestASymbolOutsideTheTokenStops: a symbol's page that the token does
// not grant stops the stream and says so, although a stream without a
// filter would open and show other symbols; a visitor's page does not.
func TestASymbolOutsideTheTokenStops(t *testing.T) {
	for _, c := range []struct {
		name string
		sess session
		stop bool
	}{
		{"token without the symbol", session{Symbols: []string{"AAPL"}, Exp: time.Now().Add(time.Hour)}, true},
		{"token with it", session{Symbols: []string{"AAPL", "GOOG"}, Exp: time.Now().Add(time.Hour)}, false},
		{"every symbol", session{Symbols: []string{"*"}, Exp: time.Now().Add(time.Hour)}, false},
		{"visitor", session{Symbols: []string{"*"}, Delay: 900}, false},
		{"not known yet", session{}, false},
	} {
		stream := live.New(live.Config{Dial: func(string, []string, sse.Handlers) sse.Stream { return idleStream{} }})
		stream.Connect(nil)
		p := &page{stream: stream, symbol: "GOOG", sess: sessionState{info: c.sess}}
		if got := p.refuseScope(); got != c.stop || (p.sess.refusal != nil) != c.stop {
			t.Errorf("%s: stopped %v, refusal %+v", c.name, got, p.sess.refusal)
		}
		if st, _ := stream.Status(); (st == live.StatusOffline) != c.stop {
			t.Errorf("%s: stream %s", c.name, st)
		}
		if got := p.readSymbols(); len(got) != 1 || got[0] != "GOOG" {
			t.Errorf("%s: the page reads %v", c.name, got)
		}
	}
}

type idleStream struct{}

func (idleStream) ReadyState() sse.ReadyState { return sse.Connecting }
func (idleStream) Close()                     {}

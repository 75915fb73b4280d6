package ui

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/stockstream/stockstream/frontend/fetch"
	"github.com/stockstream/stockstream/frontend/market"
)

// sessionPath is where the server says what the caller may read (GET),
// signs a token in as a cookie (POST) and signs out (DELETE).
const sessionPath = "/api/session"

// sessionTimeout bounds a session request: a stream that failed waits for
// the answer before it is replaced.
const sessionTimeout = 10 * time.Second

// Actions the sign-in sends the page.
const (
	actionSignedIn  = "signed-in"  // the value is the new session
	actionSignedOut = "signed-out" // the cookie is gone
)

// allSymbols in a session's symbols grants every symbol.
const allSymbols = "*"

// session is the JSON of /api/session: what the page may read.
type session struct {
	// Symbols are the readable symbols, ["*"] for every one, none when
	// the page may read nothing.
	Symbols []string `json:"symbols"`
	// Delay is how many seconds late the page gets each event.
	Delay float64 `json:"delay"`
	// Exp is when the session's token expires; zero without a token.
	Exp time.Time `json:"exp"`
	// Error says why the server refused the token the browser sent.
	Error string `json:"error"`
}

// signedIn reports whether the page reads with a subscriber token.
func (s session) signedIn() bool { return !s.Exp.IsZero() }

// delay returns how late the page gets each event.
func (s session) delay() time.Duration {
	return time.Duration(s.Delay * float64(time.Second)).Round(time.Second)
}

// grants reports whether the session may read symbol.
func (s session) grants(symbol string) bool {
	return slices.Contains(s.Symbols, allSymbols) || slices.Contains(s.Symbols, symbol)
}

// Kinds of refusal, as the page's data-refusal attribute names them.
const (
	refusalEnded   = "ended"   // the session's token expired: sign in again
	refusalRefused = "refused" // the server reads nothing for this page: sign in
	refusalScope   = "scope"   // a symbol streamed is not the token's
)

// readRefusal is why the page stopped reading, in words for the reader.
type readRefusal struct {
	Kind string
	Text string
}

func (r *readRefusal) Error() string { return r.Text }

// sessionState is what the page knows of its right to read.
type sessionState struct {
	info    session      // the server's last answer
	refusal *readRefusal // why the page stopped reading; nil while it reads
	checkAt time.Time    // the exp whose check is scheduled
}

// waits reports whether the page may read again only once the reader
// signs in or out: a scope refusal ends with the next filter instead.
func (s sessionState) waits() bool { return s.refusal != nil && s.refusal.Kind != refusalScope }

// judge returns why the page may not read, now that the server answers
// now, having held the session held, on a stream filtered on symbols
// (every one the session grants when empty); nil when it may. A session
// that held a token and answers without one has ended, at its exp or
// before (signed out in another window): the page must not read on with
// what the browser is left with, anonymous access.
func judge(held, now session, symbols []string) *readRefusal {
	switch {
	case held.signedIn() && !now.signedIn() && time.Now().Before(held.Exp):
		return &readRefusal{Kind: refusalEnded, Text: "Your session ended: this browser signed out. Sign in again to read on."}
	case held.signedIn() && !now.signedIn():
		return &readRefusal{Kind: refusalEnded, Text: "Your session ended at " + market.FormatTime(held.Exp) +
			", so the prices stopped. Sign in again to read on."}
	case len(now.Symbols) == 0 && now.Error != "":
		return &readRefusal{Kind: refusalRefused, Text: "The server refused your token (" + now.Error + "). Sign in with a valid one."}
	case len(now.Symbols) == 0:
		return &readRefusal{Kind: refusalRefused, Text: "This server shows prices to subscribers only. Sign in with your token to read them."}
	}
	return scopeRefusal(now, symbols)
}

// scopeRefusal returns why session s may not read symbols, or nil.
func scopeRefusal(s session, symbols []string) *readRefusal {
	for _, sym := range symbols {
		if !s.grants(sym) {
			return &readRefusal{Kind: refusalScope, Text: "Your token does not grant " + sym +
				", so its prices are not shown. Watch other symbols, or sign in with a token that grants it."}
		}
	}
	return nil
}

// readSymbols returns the symbols the page reads: its stream's filter
// (every one the session grants when empty) and the symbol of the page
// shown.
func (p *page) readSymbols() []string {
	syms := p.stream.Symbols()
	if p.symbol != "" && !slices.Contains(syms, p.symbol) {
		syms = append(slices.Clone(syms), p.symbol)
	}
	return syms
}

// refuseScope stops the stream and says why when the session the page
// knows does not grant the symbol of the page shown: a stream without a
// filter would read the token's other symbols and leave the page waiting
// for prices that never come. It reports whether it did.
func (p *page) refuseScope() bool {
	if p.symbol == "" || len(p.sess.info.Symbols) == 0 || p.sess.waits() {
		return false
	}
	r := scopeRefusal(p.sess.info, []string{p.symbol})
	if r == nil {
		return false
	}
	p.sess.refusal = r
	p.stream.Stop()
	return true
}

// formatDelay writes a delay as "15 min", "1 h 30 min" or "45 s".
func formatDelay(d time.Duration) string {
	d = d.Round(time.Second)
	var parts []string
	for _, u := range []struct {
		unit time.Duration
		name string
	}{{time.Hour, "h"}, {time.Minute, "min"}, {time.Second, "s"}} {
		if n := d / u.unit; n > 0 {
			parts = append(parts, strconv.FormatInt(int64(n), 10)+" "+u.name)
			d -= n * u.unit
		}
	}
	if len(parts) == 0 {
		return "0 s"
	}
	return strings.Join(parts, " ")
}

// watchSession asks the server what the page may read, now and whenever
// its stream fails (an EventSource cannot see why), and stops the stream
// when the page may not read.
func (p *page) watchSession(ctx app.Context) {
	p.stream.SetVet(func(answer func(error)) { p.askSession(ctx, answer) })
	p.askSession(ctx, p.stopIfRefused)
	ctx.Handle(actionSignedIn, p.onSignedIn)
	ctx.Handle(actionSignedOut, p.onSignedOut)
	p.watchCache(ctx)
}

// watchCache closes the page's stream while the browser keeps the page in
// its back/forward cache, where the stream would stay open for the server
// with the rights the page left with (a sign-out in the next page would
// not close it), and, when the page comes back, opens it again if the
// page may still read.
func (p *page) watchCache(ctx app.Context) {
	persisted := func(args []app.Value) bool { return len(args) > 0 && args[0].Get("persisted").Bool() }
	hide := app.FuncOf(func(_ app.Value, args []app.Value) any {
		if persisted(args) {
			p.stream.Stop() // now: the page is frozen next
		}
		return nil
	})
	show := app.FuncOf(func(_ app.Value, args []app.Value) any {
		if persisted(args) {
			ctx.Dispatch(func(ctx app.Context) {
				p.askSession(ctx, func(err error) {
					if err == nil {
						p.connect()
					}
				})
			})
		}
		return nil
	})
	app.Window().Call("addEventListener", "pagehide", hide)
	app.Window().Call("addEventListener", "pageshow", show)
	p.unwatchCache = func() {
		app.Window().Call("removeEventListener", "pagehide", hide)
		app.Window().Call("removeEventListener", "pageshow", show)
		hide.Release()
		show.Release()
	}
}

// askSession asks the server what the page may read and, on the UI
// goroutine, takes the answer and calls done with why the page may not
// read, or nil: also when no answer came (the stream's failures tell).
func (p *page) askSession(ctx app.Context, done func(error)) {
	fetch.Do(fetch.Request{URL: sessionPath, Timeout: sessionTimeout}, func(r fetch.Response) {
		ctx.Dispatch(func(ctx app.Context) {
			if ref := p.takeSession(ctx, r); ref != nil {
				done(ref)
				return
			}
			done(nil)
		})
	})
}

// takeSession takes the server's answer to GET /api/session and returns
// why the page may not read with it, or nil. A page that waits for the
// reader to sign in or out keeps waiting, with the reason it stopped for:
// a session that ended stays ended when a second answer comes to a
// question asked at the same time.
func (p *page) takeSession(ctx app.Context, r fetch.Response) *readRefusal {
	var now session
	if !r.OK() || json.Unmarshal([]byte(r.Body), &now) != nil {
		return nil
	}
	if p.sess.waits() {
		p.sess.info = now
		return p.sess.refusal
	}
	ref := judge(p.sess.info, now, p.readSymbols())
	p.sess.info = now
	if ref != nil {
		p.sess.refusal = ref
	}
	p.watchExpiry(ctx)
	return ref
}

// stopIfRefused stops the stream when err says why the page may not read.
func (p *page) stopIfRefused(err error) {
	if err != nil {
		p.stream.Stop()
	}
}

// watchExpiry asks the server again when the session's token expires, so
// that the page stops and says so then, whether or not the server has
// ended the stream yet.
func (p *page) watchExpiry(ctx app.Context) {
	exp := p.sess.info.Exp
	if exp.IsZero() || exp.Equal(p.sess.checkAt) {
		return
	}
	p.sess.checkAt = exp
	ctx.After(time.Until(exp), func(ctx app.Context) {
		if !p.sess.info.Exp.Equal(exp) || p.sess.refusal != nil {
			ctx.PreventUpdate()
			return
		}
		p.askSession(ctx, p.stopIfRefused)
	})
}

// onSignedIn reads with the new session: the stream starts again from a
// snapshot, with the cookie the sign-in set, on a board cleared of what
// was read without it.
func (p *page) onSignedIn(ctx app.Context, a app.Action) {
	s, ok := a.Value.(session)
	if !ok {
		return
	}
	p.sess = sessionState{info: s, checkAt: p.sess.checkAt}
	p.resetPrices(ctx)
	p.watchExpiry(ctx)
	if !p.refuseScope() {
		p.connect()
	}
	ctx.Defer(func(app.Context) { focus(signOutID) })
}

// onSignedOut closes the page's stream, clears the subscriber's prices
// from the page and the browser, and reads on as the server lets a
// visitor read: anonymously, or not at all (then it says so).
func (p *page) onSignedOut(ctx app.Context, a app.Action) {
	p.stream.Stop()
	p.resetPrices(ctx)
	p.sess = sessionState{checkAt: p.sess.checkAt}
	p.askSession(ctx, func(err error) {
		if err == nil {
			p.connect()
		}
	})
	ctx.Defer(func(app.Context) { focus(signInInputID) })
}

// connect opens the stream for the page's symbols, unless the page waits
// for the reader to sign in or out. A new filter ends a scope refusal.
func (p *page) connect() {
	if p.sess.waits() {
		return
	}
	p.sess.refusal = nil
	p.stream.Connect(streamSymbols(p.symbols, p.symbol))
}

// resetPrices forgets the prices on the page, those the stream delivered
// and the page has not shown yet, and those saved in the browser: they
// were read with other rights than the page reads with now. A symbol's
// page asks for its bars again.
func (p *page) resetPrices(ctx app.Context) {
	p.load()
	p.stream.Drain()
	p.board = market.Board{}
	p.asOf = time.Time{}
	p.backfilled = nil
	app.Window().Get("localStorage").Call("removeItem", pricesKey)
	p.chart = symbolData{}
	if p.symbol != "" {
		p.showSymbol(ctx)
	}
}

// focus moves the keyboard focus to the element id, if it is there.
func focus(id string) {
	if el := app.Window().GetElementByID(id); el.Truthy() {
		el.Call("focus")
	}
}

package ui

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/stockstream/stockstream/frontend/fetch"
	"github.com/stockstream/stockstream/frontend/market"
)

// Ids of the sign-in's elements that get the focus or describe others.
const (
	signInInputID = "signin-token"
	signInErrorID = "signin-error"
	signOutID     = "signout"
)

// accessBar is the page's sign-in. While the page reads without a token it
// is a form to paste one; signed in, it says what the page reads and until
// when, with a sign-out button; when the server refused the page or its
// session ended, it says so first. It sends the sign-in and sign-out
// requests itself and tells the page with an action: the page owns the
// session and the stream.
type accessBar struct {
	app.Compo
	Session session
	Refusal *readRefusal // why the page stopped reading, if it did
	// Ready is false in the page the server renders: the form stays
	// disabled until the app can act on it.
	Ready bool

	err     string // why the last sign-in or sign-out failed
	pending bool   // a sign-in or sign-out is on its way
}

// Render draws the bar: one line, the same height signed in or not, so
// that the page does not move when the app learns the session.
func (a *accessBar) Render() app.UI {
	signedIn := a.Session.signedIn() && (a.Refusal == nil || a.Refusal.Kind == refusalScope)
	return app.Section().Class("access").Aria("label", "Subscription").Body(
		app.If(a.Refusal != nil, func() app.UI {
			return app.P().Class("access-refusal").Role("alert").DataSet("refusal", a.Refusal.Kind).Text(a.Refusal.Text)
		}),
		app.If(signedIn, a.signedIn).Else(a.form),
		app.If(a.Refusal != nil && a.Refusal.Kind == refusalEnded, a.signOut),
		app.If(a.err != "", func() app.UI {
			return app.P().ID(signInErrorID).Class("signin-error").Role("alert").DataSet("signin-error", "refused").Text(a.err)
		}),
	)
}

// signedIn says what the page reads with its token.
func (a *accessBar) signedIn() app.UI {
	what := "every symbol"
	if !a.Session.grants(allSymbols) {
		what = names(a.Session.Symbols)
	}
	return app.Div().Class("signed-in").Body(
		app.P().Role("status").Text("Signed in: "+what+", live until "+market.FormatTime(a.Session.Exp)+"."),
		a.signOut(),
	)
}

// signOut is the sign-out button, disabled while a request is on its way.
// (An attribute disabled="false" in the server's HTML would disable it:
// disabled is only ever set.)
func (a *accessBar) signOut() app.UI {
	b := app.Button().Type("button").ID(signOutID).Class("btn btn-quiet").DataSet("signout", "sign-out")
	if a.pending {
		b = b.Disabled(true)
	}
	return b.Text("Sign out").OnClick(a.onSignOut)
}

// form is the sign-in form: a field to paste a token into.
func (a *accessBar) form() app.UI {
	in := app.Input().ID(signInInputID).Name("token").Type("password").AutoComplete(false).
		DataSet("signin-input", "token").Aria("invalid", a.err != "").OnInput(a.onInput)
	if a.err != "" {
		in = in.Aria("describedby", signInErrorID)
	}
	submit := app.Button().Type("submit").Class("btn").DataSet("signin-submit", "sign-in")
	if a.pending {
		submit = submit.Disabled(true).Text("Signing in…")
	} else {
		submit = submit.Text("Sign in")
	}
	fields := app.FieldSet().Class("signin-fields")
	if !a.Ready {
		fields = fields.Disabled(true)
	}
	return app.Form().Class("signin").OnSubmit(a.onSignIn).Body(
		fields.Body(
			app.Label().For(signInInputID).Class("signin-label").Text("Subscriber token"),
			in,
			submit,
		),
	)
}

// onInput clears the message as soon as the field changes.
func (a *accessBar) onInput(ctx app.Context, e app.Event) {
	if a.err == "" {
		ctx.PreventUpdate()
		return
	}
	a.err = ""
}

// onSignIn sends the pasted token to POST /api/session, which answers
// with the session and sets the cookie the page's stream reads with.
func (a *accessBar) onSignIn(ctx app.Context, e app.Event) {
	e.PreventDefault()
	if a.pending {
		ctx.PreventUpdate()
		return
	}
	token := strings.TrimSpace(ctx.JSSrc().Get("elements").Get("token").Get("value").String())
	if token == "" {
		a.err = "Paste your subscriber token first, then sign in."
		return
	}
	a.pending, a.err = true, ""
	req := fetch.Request{Method: "POST", URL: sessionPath, Timeout: sessionTimeout,
		Header: map[string]string{"Authorization": "Bearer " + token}}
	fetch.Do(req, func(r fetch.Response) {
		ctx.Dispatch(func(ctx app.Context) { a.signedInWith(ctx, r) })
	})
}

// signedInWith takes the answer to a sign-in: the session for the page, or
// why the token was refused, with the focus back in the field.
func (a *accessBar) signedInWith(ctx app.Context, r fetch.Response) {
	a.pending = false
	var s session
	if !r.OK() || json.Unmarshal([]byte(r.Body), &s) != nil || !s.signedIn() {
		a.err = failure("Sign-in", r)
		ctx.Defer(func(app.Context) { focus(signInInputID) })
		return
	}
	if f := app.Window().GetElementByID(signInInputID); f.Truthy() {
		f.Set("value", "")
	}
	ctx.NewActionWithValue(actionSignedIn, s)
}

// onSignOut sends DELETE /api/session, which expires the cookie; the page
// then closes its stream.
func (a *accessBar) onSignOut(ctx app.Context, e app.Event) {
	if a.pending {
		ctx.PreventUpdate()
		return
	}
	a.pending, a.err = true, ""
	fetch.Do(fetch.Request{Method: "DELETE", URL: sessionPath, Timeout: sessionTimeout}, func(r fetch.Response) {
		ctx.Dispatch(func(ctx app.Context) {
			a.pending = false
			if !r.OK() {
				a.err = failure("Sign-out", r)
				return
			}
			ctx.NewAction(actionSignedOut)
		})
	})
}

// failure says why a sign-in or sign-out failed, in the server's words
// when it gave some.
func failure(what string, r fetch.Response) string {
	if r.Err != nil {
		return what + " failed: the server did not answer. Check the connection and try again."
	}
	var body session // {"error":"…"}, as every /api error is
	json.Unmarshal([]byte(r.Body), &body)
	switch {
	case r.Status >= 400 && r.Status < 500 && body.Error != "":
		return what + " refused: " + body.Error + "."
	case body.Error != "":
		return what + " failed: " + body.Error + " (HTTP " + strconv.Itoa(r.Status) + ")."
	}
	return what + " failed: the server answered HTTP " + strconv.Itoa(r.Status) + "."
}

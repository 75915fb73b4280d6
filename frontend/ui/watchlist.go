package ui

import (
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/stockstream/stockstream/frontend/fetch"
	"github.com/stockstream/stockstream/shared/stock"
)

// maxWatch bounds the symbols a watchlist may hold.
const maxWatch = 50

// maxInput bounds what the watchlist's field accepts, in characters.
const maxInput = 600

// watchlist lets the user pick the symbols to stream; an empty list means
// every symbol. Symbols may be typed in any case, separated by commas,
// semicolons or spaces. Each new one is checked with the server before it
// joins the list; what is refused stays in the field, named in a message,
// and the field is otherwise cleared. The choice reaches the dashboard as
// an action.
type watchlist struct {
	app.Compo
	Symbols []string
	// Ready is false in the page the server renders: the form stays
	// disabled until the app has loaded and can act on it.
	Ready bool

	err   string
	check *symbolCheck // the check in progress, or nil
}

// symbolCheck is one submission whose new symbols are being looked up.
type symbolCheck struct {
	fresh   []string // the symbols to look up, in the order typed
	pending int
	unknown []string
	bad     []string // tokens that are not symbols
}

// Render draws the watchlist form, its message and the chips of the
// chosen symbols.
func (w *watchlist) Render() app.UI {
	return app.Section().Class("watchlist").DataSet("part", partWatch).Aria("label", "Watchlist").Body(
		app.Form().Class("watch-form").OnSubmit(w.onSubmit).Body(
			w.fields().Body(
				app.Label().For("watch-input").Class("watch-label").Text("Watchlist"),
				app.Input().ID("watch-input").Name("symbols").Type("text").
					DataSet("watchlist-input", "symbols").
					Placeholder("AAPL, MSFT").AutoComplete(false).Attr("autocapitalize", "characters").
					Attr("spellcheck", "false").MaxLength(maxInput).
					Aria("describedby", "watch-help").Aria("invalid", w.err != "").
					OnInput(w.onInput),
				w.submit(),
				app.Button().Type("button").Class("btn btn-quiet").ID("watch-all").
					Text("All symbols").OnClick(w.onAll),
			),
		),
		app.P().ID("watch-help").Class("watch-help").Text("Symbols separated by commas or spaces; an empty list shows every symbol."),
		app.If(w.err != "", func() app.UI {
			return app.P().Class("watch-error").Role("alert").DataSet("watchlist-error", "refused").Text(w.err)
		}),
		app.Ul().Class("chips").Aria("label", "Watched symbols").Body(
			app.If(len(w.Symbols) == 0, func() app.UI {
				return app.Li().Class("chip chip-all").Text("Watching every symbol")
			}),
			app.Range(w.Symbols).Slice(func(i int) app.UI {
				sym := w.Symbols[i]
				return app.Li().Class("chip").DataSet("watch", sym).Body(
					app.Span().Text(sym),
					app.Button().Type("button").Class("chip-x").Aria("label", "Remove "+sym).
						Text("×").OnClick(func(ctx app.Context, e app.Event) { w.remove(ctx, sym) }),
				)
			}),
		),
	)
}

// submit is the submit button, disabled while a submission is checked.
func (w *watchlist) submit() app.HTMLButton {
	b := app.Button().Type("submit").Class("btn").DataSet("watchlist-submit", "watch")
	if w.check != nil {
		return b.Disabled(true).Text("Checking…")
	}
	return b.Text("Watch")
}

// fields is the form's fieldset, disabled until the app is ready. While a
// submission is checked only the submit button is: the field keeps the
// focus.
func (w *watchlist) fields() app.HTMLFieldSet {
	fs := app.FieldSet().Class("watch-fields")
	if !w.Ready {
		fs = fs.Disabled(true)
	}
	return fs
}

// onInput clears the message as soon as the field changes.
func (w *watchlist) onInput(ctx app.Context, e app.Event) {
	if w.err == "" {
		ctx.PreventUpdate()
		return
	}
	w.err = ""
}

// onSubmit parses the field and checks its new symbols with the server.
func (w *watchlist) onSubmit(ctx app.Context, e app.Event) {
	e.PreventDefault()
	if w.check != nil {
		ctx.PreventUpdate()
		return
	}
	field := ctx.JSSrc().Get("elements").Get("symbols")
	valid, bad := parseWatch(field.Get("value").String())
	var fresh []string
	for _, s := range valid {
		if !slices.Contains(w.Symbols, s) {
			fresh = append(fresh, s)
		}
	}
	switch {
	case len(valid) == 0 && len(bad) == 0:
		w.err = "Type one or more symbols, such as AAPL or MSFT."
		return
	case len(w.Symbols)+len(fresh) > maxWatch:
		w.err = "A watchlist holds at most " + strconv.Itoa(maxWatch) + " symbols; remove some first."
		return
	}
	c := &symbolCheck{fresh: fresh, pending: len(fresh), bad: bad}
	if len(fresh) == 0 {
		w.finish(ctx, c)
		return
	}
	w.check, w.err = c, ""
	for _, sym := range fresh {
		fetch.Get("/api/stocks/"+sym, func(r fetch.Response) {
			ctx.Dispatch(func(ctx app.Context) { w.checked(ctx, c, sym, r) })
		})
	}
}

// checked records the server's answer for one symbol. A 404 means the
// server has no prices for it; any other answer, or none (offline), lets
// it in: the stream shows its prices once there are some.
func (w *watchlist) checked(ctx app.Context, c *symbolCheck, sym string, r fetch.Response) {
	if r.Err == nil && r.Status == 404 {
		c.unknown = append(c.unknown, sym)
	}
	if c.pending--; c.pending > 0 {
		ctx.PreventUpdate()
		return
	}
	w.finish(ctx, c)
}

// finish adds the accepted symbols, leaves the refused ones in the field
// and says why they were refused.
func (w *watchlist) finish(ctx app.Context, c *symbolCheck) {
	if w.check == c {
		w.check = nil
	}
	var known, unknown []string
	for _, s := range c.fresh {
		if slices.Contains(c.unknown, s) {
			unknown = append(unknown, s)
		} else {
			known = append(known, s)
		}
	}
	setField(strings.Join(append(slices.Clone(c.bad), unknown...), " "))
	w.err = refusal(c.bad, unknown)
	if len(known) > 0 {
		w.send(ctx, mergeSymbols(w.Symbols, known))
	}
}

func (w *watchlist) onAll(ctx app.Context, e app.Event) {
	w.err = ""
	setField("")
	w.send(ctx, nil)
}

func (w *watchlist) remove(ctx app.Context, sym string) {
	w.err = ""
	var kept []string
	for _, s := range w.Symbols {
		if s != sym {
			kept = append(kept, s)
		}
	}
	w.send(ctx, kept)
}

func (w *watchlist) send(ctx app.Context, symbols []string) {
	ctx.NewActionWithValue(actionWatch, symbols)
}

// setField sets the text of the watchlist's field. The field is not bound
// to the component's state: go-app drops an empty value attribute instead
// of clearing the field.
func setField(text string) {
	if f := app.Window().GetElementByID("watch-input"); f.Truthy() {
		f.Set("value", text)
	}
}

// parseWatch splits what was typed at commas, semicolons and white space
// and returns the symbols, upper-cased and without duplicates, and the
// tokens that are not symbols.
func parseWatch(text string) (symbols, bad []string) {
	tokens := strings.FieldsFunc(text, func(r rune) bool {
		return r == ',' || r == ';' || unicode.IsSpace(r)
	})
	for _, t := range tokens {
		sym, err := stock.ParseSymbol(t)
		switch {
		case err != nil:
			if !slices.Contains(bad, t) {
				bad = append(bad, t)
			}
		case !slices.Contains(symbols, sym):
			symbols = append(symbols, sym)
		}
	}
	return symbols, bad
}

// refusal says why tokens were refused, naming them; "" when none were.
func refusal(bad, unknown []string) string {
	var parts []string
	if len(bad) > 0 {
		parts = append(parts, names(bad)+" "+plural(len(bad), "is not a symbol", "are not symbols")+
			": a symbol is up to 12 letters, digits, '.' or '-', starting with a letter or digit.")
	}
	if len(unknown) > 0 {
		parts = append(parts, "Unknown "+plural(len(unknown), "symbol", "symbols")+" "+names(unknown)+
			": the server has no prices for "+plural(len(unknown), "it", "them")+".")
	}
	return strings.Join(parts, " ")
}

// names lists tokens for a message, each clipped, at most five.
func names(tokens []string) string {
	const most = 5
	out := make([]string, 0, most+1)
	for i, t := range tokens {
		if i == most {
			out = append(out, "and "+strconv.Itoa(len(tokens)-most)+" more")
			break
		}
		if r := []rune(t); len(r) > stock.MaxSymbolLen+2 {
			t = string(r[:stock.MaxSymbolLen]) + "…"
		}
		out = append(out, t)
	}
	return strings.Join(out, ", ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// mergeSymbols appends the symbols of add missing from have, up to maxWatch.
func mergeSymbols(have, add []string) []string {
	out := slices.Clone(have)
	for _, s := range add {
		if len(out) < maxWatch && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

package ui

import (
	"slices"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/stockstream/stockstream/shared/stock"
)

// maxWatch bounds the symbols a watchlist may hold.
const maxWatch = 50

// watchlist lets the user pick the symbols to stream; an empty list means
// every symbol. It sends the choice to the dashboard as an action.
type watchlist struct {
	app.Compo
	Symbols []string
	// Ready is false in the page the server renders: the form stays
	// disabled until the app has loaded and can act on it.
	Ready bool

	input string
	err   string
}

// Render draws the watchlist form and the chips of the chosen symbols.
func (w *watchlist) Render() app.UI {
	return app.Section().Class("watchlist").Body(
		app.Form().Class("watch-form").OnSubmit(w.onSubmit).Body(
			w.fields().Body(
				app.Label().For("watch-input").Class("watch-label").Text("Watchlist"),
				app.Input().ID("watch-input").Name("symbols").Type("text").
					Placeholder("AAPL, MSFT").AutoComplete(false).
					Value(w.input).OnInput(w.onInput),
				app.Button().Type("submit").Class("btn").Text("Watch"),
				app.Button().Type("button").Class("btn btn-quiet").ID("watch-all").
					Text("All symbols").OnClick(w.onAll),
			),
		),
		app.If(w.err != "", func() app.UI { return app.P().Class("watch-error").Text(w.err) }),
		app.Ul().Class("chips").Body(
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

// fields is the form's fieldset, disabled until the app is ready.
func (w *watchlist) fields() app.HTMLFieldSet {
	fs := app.FieldSet().Class("watch-fields")
	if !w.Ready {
		fs = fs.Disabled(true)
	}
	return fs
}

func (w *watchlist) onInput(ctx app.Context, e app.Event) {
	w.input = ctx.JSSrc().Get("value").String()
}

// onSubmit adds the typed symbols to the watchlist.
func (w *watchlist) onSubmit(ctx app.Context, e app.Event) {
	e.PreventDefault()
	added, err := stock.ParseSymbolList(strings.ReplaceAll(w.input, " ", ""), maxWatch)
	if err != nil {
		w.err = err.Error()
		return
	}
	w.err, w.input = "", ""
	w.send(ctx, mergeSymbols(w.Symbols, added))
}

func (w *watchlist) onAll(ctx app.Context, e app.Event) {
	w.err, w.input = "", ""
	w.send(ctx, nil)
}

func (w *watchlist) remove(ctx app.Context, sym string) {
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

// mergeSymbols appends the symbols of add missing from have, up to maxWatch.
func mergeSymbols(have, add []string) []string {
	out := append([]string(nil), have...)
	for _, s := range add {
		if len(out) < maxWatch && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

package ui

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// updateBanner tells that a new version is installed and offers a reload.
type updateBanner struct {
	app.Compo
}

// Render draws the banner.
func (u *updateBanner) Render() app.UI {
	return app.Div().Class("banner").Role("status").DataSet("update", "available").Body(
		app.Span().Text("A new version is available."),
		app.Button().Class("btn").Text("Reload").OnClick(func(ctx app.Context, e app.Event) {
			ctx.Reload()
		}),
	)
}

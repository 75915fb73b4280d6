package ui

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// installButton offers to install the app; the dashboard shows it while the
// browser reports the app installable.
type installButton struct {
	app.Compo
}

// Render draws the button.
func (i *installButton) Render() app.UI {
	return app.Button().Type("button").Class("btn btn-install").DataSet("install", "app").
		Text("Install app").
		OnClick(func(ctx app.Context, e app.Event) { ctx.ShowAppInstallPrompt() })
}

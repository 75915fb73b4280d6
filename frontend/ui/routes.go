package ui

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// Routes registers the app's pages. The wasm main and the server's handler
// both call it, so that every page the browser can show is also served.
func Routes() {
	app.Route("/", func() app.Composer { return newDashboard() })
}

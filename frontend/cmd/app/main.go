// Command app is the dashboard's WebAssembly main. It opens the price
// stream first, so that the stream's snapshot is on its way while the
// page starts, lets the browser run what waits (input, paint) before the
// page mounts, then registers the routes and runs the UI. It holds no
// server code, to keep the wasm small.
package main

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/stockstream/stockstream/frontend/ui"
)

func main() {
	if !ui.InPage() {
		ui.Rehearse()
		return
	}
	stream := ui.OpenStream()
	ui.YieldToBrowser()
	ui.Routes(ui.Source{Stream: stream})
	app.RunWhenOnBrowser()
}

// Command app is the dashboard's WebAssembly main: it registers the routes
// and runs the UI in the browser. It holds no server code, to keep the wasm
// small.
package main

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/stockstream/stockstream/frontend/ui"
)

func main() {
	ui.Routes(ui.Source{})
	app.RunWhenOnBrowser()
}

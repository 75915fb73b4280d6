// Command app is the dashboard's WebAssembly main. In a page it opens the
// price stream first, so that the stream's snapshot is on its way while
// the page starts, waits (the browser running meanwhile) until the
// loader's compiler has rehearsed the start, then registers the routes
// and runs the UI. In the loader's compiler, a worker without a document,
// it rehearses the start instead (ui.Rehearse). It holds no server code,
// to keep the wasm small.
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
	ui.AwaitRehearsal()
	ui.Routes(ui.Source{Stream: stream})
	app.RunWhenOnBrowser()
}

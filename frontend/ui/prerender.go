package ui

import (
	"encoding/json"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/stockstream/stockstream/shared/stock"
)

// prerenderedID is the id of the element that hands the prices the server
// rendered into the page over to the app, so that the app's first render
// shows the same prices instead of an empty board.
const prerenderedID = "prerendered"

// prerendered is the data behind the prices of a server-rendered page.
type prerendered struct {
	At     time.Time      `json:"at"`
	Quotes []stock.Latest `json:"quotes"`
}

// script returns the element carrying p: JSON in a script element that is
// never run. encoding/json escapes '<', '>' and '&', so the JSON cannot end
// the element early.
func (p prerendered) script() app.UI {
	b, err := json.Marshal(p)
	if err != nil {
		app.Log("prerendering prices:", err)
		return nil
	}
	return app.Raw(`<script type="application/json" id="` + prerenderedID + `">` + string(b) + `</script>`)
}

// readPrerendered returns the data of the server-rendered page the app is
// taking over, while that page is still in the document.
func readPrerendered() (prerendered, bool) {
	var p prerendered
	el := app.Window().GetElementByID(prerenderedID)
	if !el.Truthy() {
		return p, false
	}
	if err := json.Unmarshal([]byte(el.Get("textContent").String()), &p); err != nil {
		app.Log("reading the prerendered prices:", err)
		return p, false
	}
	return p, true
}

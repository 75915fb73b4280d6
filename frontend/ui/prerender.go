package ui

import (
	"encoding/json"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/stockstream/stockstream/shared/stock"
)

// prerenderedID is the id of the element that hands the dashboard's
// server-rendered prices over to the app, so that the app's first render
// shows the same prices instead of an empty board.
const prerenderedID = "prerendered"

// prerendered is the data behind the prices of a server-rendered dashboard.
type prerendered struct {
	At     time.Time      `json:"at"`
	Quotes []stock.Latest `json:"quotes"`
}

// handOver returns an element carrying v for the app to take over: JSON in
// a script element that is never run. encoding/json escapes '<', '>' and
// '&', so the JSON cannot end the element early.
func handOver(id string, v any) app.UI {
	b, err := json.Marshal(v)
	if err != nil {
		app.Log("prerendering", id+":", err)
		return nil
	}
	return app.Raw(`<script type="application/json" id="` + id + `">` + string(b) + `</script>`)
}

// handedOver returns the JSON the server-rendered page handed over under
// id, while that page is still in the document; "" if there is none.
func handedOver(id string) string {
	el := app.Window().GetElementByID(id)
	if !el.Truthy() {
		return ""
	}
	return el.Get("textContent").String()
}

// decode decodes into v the JSON handed over under id; it reports whether
// there was some that decoded.
func decode(id, data string, v any) bool {
	if data == "" {
		return false
	}
	if err := json.Unmarshal([]byte(data), v); err != nil {
		app.Log("reading the prerendered", id+":", err)
		return false
	}
	return true
}

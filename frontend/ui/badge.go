package ui

import (
	"strconv"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/stockstream/stockstream/frontend/live"
)

// badge shows the connection state in its data-status attribute (live,
// connecting or offline) and the id of the last event received. Only the
// state's label is a live region: screen readers announce "Live" or
// "Offline" when it changes, never the ids that change many times a second.
// A stream the page stopped (refused, or its session ended) is offline,
// labelled "Stopped".
type badge struct {
	app.Compo
	Status  live.Status
	LastID  string
	Stopped bool
}

var badgeLabels = map[live.Status]string{
	live.StatusLive:       "Live",
	live.StatusConnecting: "Connecting…",
	live.StatusOffline:    "Offline",
}

// Render draws the badge.
func (b *badge) Render() app.UI {
	id := b.LastID
	if id == "" {
		id = "–"
	}
	label := badgeLabels[b.Status]
	if b.Stopped {
		label = "Stopped"
	}
	return app.Div().
		Class("badge", "badge-"+string(b.Status)).
		DataSet("status", string(b.Status)).
		DataSet("last-event-id", b.LastID).
		Body(
			app.Span().Class("dot"),
			app.Span().Class("label").Role("status").Text(label),
			app.Span().Class("last-id").Title("Id of the last event received").Text("#"+id),
		)
}

// delayTag says, beside the badge, how late the prices come while the
// page reads the delayed tier: "Delayed 15 min".
func delayTag(d time.Duration) app.UI {
	late := formatDelay(d)
	return app.Span().Class("delay-tag").DataSet("delay", strconv.FormatInt(int64(d/time.Second), 10)).
		Title("Prices reach this page " + late + " after they trade; sign in with a subscriber token for live prices.").
		Text("Delayed " + late)
}

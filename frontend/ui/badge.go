package ui

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/stockstream/stockstream/frontend/live"
)

// badge shows the connection state in its data-status attribute (live,
// connecting or offline) and the id of the last event received. Only the
// state's label is a live region: screen readers announce "Live" or
// "Offline" when it changes, never the ids that change many times a second.
type badge struct {
	app.Compo
	Status live.Status
	LastID string
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
	return app.Div().
		Class("badge", "badge-"+string(b.Status)).
		DataSet("status", string(b.Status)).
		DataSet("last-event-id", b.LastID).
		Body(
			app.Span().Class("dot"),
			app.Span().Class("label").Role("status").Text(badgeLabels[b.Status]),
			app.Span().Class("last-id").Title("Id of the last event received").Text("#"+id),
		)
}

package ui

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// badge shows the connection state in its data-status attribute (live,
// connecting or offline) and the id of the last event received.
type badge struct {
	app.Compo
	Status string
	LastID string
}

var badgeLabels = map[string]string{
	"live":       "Live",
	"connecting": "Connecting…",
	"offline":    "Offline",
}

// Render draws the badge.
func (b *badge) Render() app.UI {
	id := b.LastID
	if id == "" {
		id = "–"
	}
	return app.Div().
		Class("badge", "badge-"+b.Status).
		DataSet("status", b.Status).
		DataSet("last-event-id", b.LastID).
		Aria("live", "polite").
		Title("Last event id: "+id).
		Body(
			app.Span().Class("dot"),
			app.Span().Class("label").Text(badgeLabels[b.Status]),
			app.Span().Class("last-id").Text("#"+id),
		)
}

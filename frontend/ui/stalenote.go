package ui

import (
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/stockstream/stockstream/frontend/market"
)

// staleNote warns that the prices shown are the last known ones, not live.
type staleNote struct {
	app.Compo
	SavedAt time.Time
}

// Render draws the note.
func (s *staleNote) Render() app.UI {
	text := "Not live: showing the last-known prices."
	if !s.SavedAt.IsZero() {
		text = "Not live: showing the last-known prices, saved at " + market.FormatTime(s.SavedAt) + "."
	}
	return app.P().Class("stale-note").DataSet("stale", "true").Text(text)
}

package ui

import (
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/stockstream/stockstream/frontend/live"
	"github.com/stockstream/stockstream/frontend/market"
)

// statusNote is one line under the header that says how current the prices
// are: live, as of a time while connecting, or stale while offline. It is
// always there, one line high, so that the page never shifts when the
// connection state changes.
type statusNote struct {
	app.Compo
	Status  live.Status
	AsOf    time.Time     // when the prices shown were last known to be current
	Empty   bool          // no prices on the board
	Stopped bool          // the page stopped reading: refused, or its session ended
	Delay   time.Duration // how late the prices come (the delayed tier)
}

// Render draws the note; it carries data-stale while offline or stopped
// with prices.
func (s *statusNote) Render() app.UI {
	p := app.P().Class("status-note", "status-note-"+string(s.Status)).DataSet("part", partNote)
	if (s.Status == live.StatusOffline || s.Stopped) && !s.Empty {
		p = p.DataSet("stale", "true")
	}
	return p.Text(s.text())
}

func (s *statusNote) text() string {
	at := market.FormatTime(s.AsOf)
	switch {
	case s.Stopped && s.Empty:
		return "Stopped: no prices to show."
	case s.Stopped:
		return "Stopped: showing the last prices read, from " + at + "."
	case s.Status == live.StatusLive && s.Delay > 0:
		return "Delayed: prices arrive " + formatDelay(s.Delay) + " after they trade."
	case s.Status == live.StatusLive:
		return "Live: prices update as they trade."
	case s.Empty && s.Status == live.StatusOffline:
		return "Offline: no prices saved on this device yet."
	case s.Empty:
		return "Connecting to the price stream…"
	case s.Status == live.StatusOffline:
		return "Offline: showing the last-known prices, from " + at + "."
	}
	return "Prices as of " + at + ", connecting…"
}

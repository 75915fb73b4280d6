package config

import (
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/stockstream/stockstream/backend/feed"
	"github.com/stockstream/stockstream/shared/pricefile"
	"github.com/stockstream/stockstream/shared/stock"
)

// Replay is what serve --replay publishes from inside the server.
type Replay struct {
	Files []string // none: no replay
	Speed feed.Speed
	Loop  bool
	Read  pricefile.Options
}

// replayFlags are serve's flags of a replay that need checking.
type replayFlags struct {
	files, speed, tz string
}

func (f *replayFlags) define(fs *flag.FlagSet, r *Replay) {
	fs.StringVar(&f.files, "replay", "", "price files to publish from the server, comma-separated (CSV as the common sources write it, or NDJSON; - is not allowed); turns the simulator off unless --simulator is given")
	fs.StringVar(&f.speed, "replay-speed", "1x", "replay pace against the files' timestamps: a factor such as 60x, or max")
	fs.BoolVar(&r.Loop, "replay-loop", false, "start the files over after their last price, forever")
	fs.StringVar(&r.Read.Symbol, "replay-symbol", "", "symbol of files without a symbol column (default: each file's name, as in AAPL.csv)")
	fs.BoolVar(&r.Read.Adjusted, "replay-adjusted", false, "replay the adjusted close (Adj Close, adjusted_close) instead of the close")
	fs.StringVar(&f.tz, "replay-tz", pricefile.DefaultTimeZone, "time zone of the files' times written without one; a date alone is 16:00 there")
}

// finish validates the replay flags into r: every file must open and
// have a header this program reads.
func (f *replayFlags) finish(r *Replay) error {
	var errs []error
	var err error
	if r.Speed, err = feed.ParseSpeed(f.speed); err != nil {
		errs = append(errs, fmt.Errorf("--replay-speed: %v", err))
	}
	if r.Read.Location, err = time.LoadLocation(f.tz); err != nil || f.tz == "" {
		return fmt.Errorf("--replay-tz: %q is not a time zone such as America/New_York or UTC", f.tz)
	}
	if r.Read.Symbol != "" {
		if _, err := stock.ParseSymbol(r.Read.Symbol); err != nil {
			return fmt.Errorf("--replay-symbol: %v", err)
		}
	}
	if r.Loop && f.files == "" {
		errs = append(errs, errors.New("--replay-loop: give the files with --replay"))
	}
	if f.files == "" {
		return errors.Join(errs...)
	}
	for _, name := range strings.Split(f.files, ",") {
		if name = strings.TrimSpace(name); name == "" || name == "-" {
			errs = append(errs, fmt.Errorf("--replay: %q is not a file name", name))
			continue
		}
		r.Files = append(r.Files, name)
		if err := checkPriceFile(name, r.Read); err != nil {
			errs = append(errs, fmt.Errorf("--replay: %w", err))
		}
	}
	return errors.Join(errs...)
}

package feed

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Speed is how fast a replay runs against the file's own timestamps: 60
// plays an hour of the file in a minute. Max (0) does not wait at all.
type Speed float64

// Max replays as fast as the publisher takes the quotes.
const Max Speed = 0

// maxSpeed bounds a speed factor; beyond it "max" says the same.
const maxSpeed = 1e9

// ParseSpeed parses "max", or a factor such as "60x", "1x" or "0.5x" (the
// "x" may be left out).
func ParseSpeed(s string) (Speed, error) {
	if strings.EqualFold(s, "max") {
		return Max, nil
	}
	f, err := strconv.ParseFloat(strings.TrimSuffix(strings.ToLower(s), "x"), 64)
	if err != nil || math.IsNaN(f) || f <= 0 || f > maxSpeed {
		return 0, fmt.Errorf("%q is not max or a factor such as 60x (above 0, at most 1e9)", s)
	}
	return Speed(f), nil
}

func (s Speed) String() string {
	if s == Max {
		return "max"
	}
	return strconv.FormatFloat(float64(s), 'g', -1, 64) + "x"
}

// wallTime returns how long span of the file's time takes at speed s.
func (s Speed) wallTime(span time.Duration) time.Duration {
	if s == Max || span <= 0 {
		return 0
	}
	return time.Duration(float64(span) / float64(s))
}

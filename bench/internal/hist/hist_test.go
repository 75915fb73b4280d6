package hist

import (
	"testing"
	"time"
)

func TestIndexLowerRoundTrip(t *testing.T) {
	for _, v := range []uint64{0, 1, 31, 32, 33, 63, 64, 100, 1000, 123456, 1 << 40} {
		i := index(v)
		if lo, hi := lower(i), lower(i+1); v < lo || v >= hi {
			t.Errorf("value %d in bucket %d = [%d,%d)", v, i, lo, hi)
		}
	}
}

func TestQuantile(t *testing.T) {
	var h Histogram
	for i := 1; i <= 1000; i++ {
		h.Record(time.Duration(i)*time.Millisecond, i)
	}
	for _, c := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 500 * time.Millisecond}, {0.99, 990 * time.Millisecond}} {
		got := h.Quantile(c.q)
		if d := got - c.want; d > c.want/20 || -d > c.want/20 {
			t.Errorf("q%.2f = %s, want about %s", c.q, got, c.want)
		}
	}
	if h.Max() != time.Second || h.Count() != 1000 {
		t.Errorf("max %s count %d", h.Max(), h.Count())
	}
}

package icon_test

import (
	"testing"

	"github.com/stockstream/stockstream/frontend/icon"
)

func TestDraw(t *testing.T) {
	for _, size := range []int{192, 512} {
		img := icon.Draw(size, false)
		if b := img.Bounds(); b.Dx() != size || b.Dy() != size {
			t.Fatalf("size %d: bounds %v", size, b)
		}
		if img.NRGBAAt(0, 0).A != 0 {
			t.Errorf("size %d: the regular icon's corner is not transparent", size)
		}
		if img.NRGBAAt(size/2, size/2).A != 0xff {
			t.Errorf("size %d: the centre is not opaque", size)
		}
	}
	m := icon.Draw(512, true)
	if m.NRGBAAt(0, 0) != icon.Background {
		t.Errorf("maskable corner %v, want the full-bleed background", m.NRGBAAt(0, 0))
	}
}

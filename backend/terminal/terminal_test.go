package terminal_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/creack/pty"

	"github.com/stockstream/stockstream/backend/terminal"
)

func TestTerminal(t *testing.T) {
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer ptmx.Close()
	defer tty.Close()
	if err := pty.Setsize(ptmx, &pty.Winsize{Cols: 123, Rows: 45}); err != nil {
		t.Fatal(err)
	}
	if !terminal.Is(tty) {
		t.Error("a pseudo-terminal is a terminal")
	}
	if c, r := terminal.Size(tty); c != 123 || r != 45 {
		t.Errorf("size %d×%d, want 123×45", c, r)
	}
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, w := range []interface{ Write([]byte) (int, error) }{f, &bytes.Buffer{}} {
		if terminal.Is(w) {
			t.Errorf("%T is not a terminal", w)
		}
		if c, r := terminal.Size(w); c != 80 || r != 24 {
			t.Errorf("%T: size %d×%d, want 80×24", w, c, r)
		}
	}
}

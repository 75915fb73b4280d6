package sizebudget

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadSkipsComments(t *testing.T) {
	path := filepath.Join(t.TempDir(), "budget")
	os.WriteFile(path, []byte("# app.wasm, brotli\n\n1150000\n"), 0o644)
	if n, err := Read(path); err != nil || n != 1_150_000 {
		t.Fatalf("readBudget = %d, %v", n, err)
	}
	for _, bad := range []string{"# only a comment\n", "1.2 MB\n", "-5\n"} {
		os.WriteFile(path, []byte(bad), 0o644)
		if _, err := Read(path); err == nil {
			t.Errorf("readBudget accepted %q", bad)
		}
	}
}

// TestTheBudgetAllowsTwoPercent: up to 2 % over the figure passes, more
// fails with a message that names the figure's file.
func TestTheBudgetAllowsTwoPercent(t *testing.T) {
	for size, ok := range map[int64]bool{900_000: true, 1_000_000: true, 1_020_000: true, 1_020_001: false, 1_100_000: false} {
		err := Check(size, 1_000_000, "frontend/wasm-budget.txt")
		if (err == nil) != ok {
			t.Errorf("size %d: %v", size, err)
		}
		if err != nil && !strings.Contains(err.Error(), "frontend/wasm-budget.txt") {
			t.Errorf("the message does not name the budget file: %v", err)
		}
	}
}

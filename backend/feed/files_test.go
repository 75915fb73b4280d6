package feed_test

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stockstream/stockstream/backend/feed"
)

func TestFilesOpensFilesAndStandardInput(t *testing.T) {
	p := filepath.Join(t.TempDir(), "a.csv")
	if err := os.WriteFile(p, []byte("from the file"), 0o644); err != nil {
		t.Fatal(err)
	}
	read := func(s feed.Source) string {
		t.Helper()
		rc, err := s.Open()
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		b, _ := io.ReadAll(rc)
		return string(b)
	}
	stdin := strings.NewReader("from stdin")
	if s := feed.Files([]string{"-"}, stdin); s[0].Name != "<stdin>" || read(s[0]) != "from stdin" {
		t.Errorf("- alone: %q", s[0].Name)
	}
	s := feed.Files([]string{p, "-"}, strings.NewReader("x"))
	if s[0].Name != p || read(s[0]) != "from the file" || s[1].Name != "-" {
		t.Errorf("a file and -: %q %q", s[0].Name, s[1].Name)
	}
	if _, err := feed.Files([]string{"-"}, nil)[0].Open(); err == nil {
		t.Error("without standard input, - opened something")
	}
	if _, err := feed.Files([]string{filepath.Join(t.TempDir(), "missing.csv")}, nil)[0].Open(); !os.IsNotExist(err) {
		t.Errorf("a missing file: %v", err)
	}
}

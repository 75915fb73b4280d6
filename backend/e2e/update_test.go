package e2e_test

import (
	"io/fs"
	"os"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stockstream/stockstream/backend/pwa"
)

// newVersion serves the built assets under another version, as a new
// release of the app would.
type newVersion struct {
	fs.FS
	version string
}

func (v newVersion) Open(name string) (fs.File, error) {
	if name == "web/version.txt" {
		return fstest.MapFS{name: {Data: []byte(v.version)}}.Open(name)
	}
	return v.FS.Open(name)
}

// TestNewVersionBanner: with the stream open, a new release's service
// worker activates (the stream bypasses the worker) and the page offers a
// reload, which brings the new version.
func TestNewVersionBanner(t *testing.T) {
	t.Parallel()
	s, b, _ := openDashboard(t, 0)
	waitServiceWorker(b)

	next, err := pwa.New(newVersion{FS: os.DirFS("../pwa"), version: "e2e-next"})
	if err != nil {
		t.Fatal(err)
	}
	s.stop()
	s.App = next
	s.start()
	b.wait("live again", statusIs("live"), 30*time.Second)
	if err := b.eval(`goappTryUpdate()`, nil); err != nil {
		t.Fatal(err)
	}
	b.wait("update banner", `document.querySelector('[data-update="available"]')`, 30*time.Second)
	if err := b.eval(`document.querySelector('[data-update="available"] button').click()`, nil); err != nil {
		t.Fatal(err)
	}
	b.wait("new version running", `document.querySelector("[data-status]") && !document.querySelector("[data-update]") && `+
		`caches.keys().then(ks => ks.includes("app-e2e-next"))`, 30*time.Second)
	b.wait("live after the update", statusIs("live"), 30*time.Second)
}

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTheModuleInTheBuildListIsTheOneThePatchKnows: the go-app go.mod
// selects has exactly the files the patch was written against.
func TestTheModuleInTheBuildListIsTheOneThePatchKnows(t *testing.T) {
	version, dir, err := findModule(goappModule)
	if err != nil {
		t.Fatal(err)
	}
	if err := checkUpstream(dir, version); err != nil {
		t.Fatal(err)
	}
}

// TestAChangedUpstreamFileStopsTheBuild: a removed file that differs from
// the one the patch knows, or is gone, fails the check, naming it.
func TestAChangedUpstreamFileStopsTheBuild(t *testing.T) {
	_, dir, err := findModule(goappModule)
	if err != nil {
		t.Fatal(err)
	}
	fake := t.TempDir()
	if err := os.MkdirAll(filepath.Join(fake, "pkg", "app"), 0o755); err != nil {
		t.Fatal(err)
	}
	copyFile(t, filepath.Join(dir, "pkg", "app", "http.go"), filepath.Join(fake, "pkg", "app", "http.go"))
	copyFile(t, filepath.Join(dir, "pkg", "app", "route.go"), filepath.Join(fake, "pkg", "app", "route.go"))
	err = checkUpstream(fake, "v10.9.9")
	if err == nil || !strings.Contains(err.Error(), "v10.9.9 has no pkg/app/resource.go") || strings.Contains(err.Error(), "http.go") {
		t.Fatalf("a missing resource.go: %v", err)
	}
	copyFile(t, filepath.Join(dir, "pkg", "app", "resource.go"), filepath.Join(fake, "pkg", "app", "resource.go"))
	if err := checkUpstream(fake, "v10.9.9"); err != nil {
		t.Fatalf("identical files: %v", err)
	}
	f, err := os.OpenFile(filepath.Join(fake, "pkg", "app", "http.go"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("\nfunc clientCode() {}\n")
	f.Close()
	err = checkUpstream(fake, "v10.9.9")
	if err == nil || !strings.Contains(err.Error(), "pkg/app/http.go changed upstream") || !strings.Contains(err.Error(), "PATCH.md") {
		t.Fatalf("a changed http.go: %v", err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestPrepareWritesAWorkspaceThatSeesThePatchedModule: the generated
// go.work uses the repository's modules and replaces go-app by the link,
// and the overlay deletes the server files of the linked module and adds
// browser_wasm.go.
func TestPrepareWritesAWorkspaceThatSeesThePatchedModule(t *testing.T) {
	_, dir, err := findModule(goappModule)
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	gowork, overlayFile, err := prepare(work, dir)
	if err != nil {
		t.Fatal(err)
	}
	w, _ := os.ReadFile(gowork)
	for _, want := range []string{"replace " + goappModule + " => ./go-app", "/frontend\n", "/shared\n"} {
		if !strings.Contains(string(w), want) {
			t.Errorf("go.work lacks %q:\n%s", want, w)
		}
	}
	if target, err := os.Readlink(filepath.Join(work, "go-app")); err != nil || target != dir {
		t.Errorf("link to %q (%v), want %q", target, err, dir)
	}
	o, _ := os.ReadFile(overlayFile)
	for _, want := range []string{`go-app/pkg/app/http.go": ""`, `go-app/pkg/app/resource.go": ""`, `go-app/pkg/app/route.go": ""`,
		`go-app/pkg/app/browser_wasm.go": "` + filepath.Join(work, "browser_wasm.go"), `go-app/pkg/app/route_wasm.go": "` + filepath.Join(work, "route_wasm.go")} {
		if !strings.Contains(string(o), want) {
			t.Errorf("overlay lacks %q:\n%s", want, o)
		}
	}
	// A second run replaces the link instead of failing on it.
	if _, _, err := prepare(work, dir); err != nil {
		t.Fatalf("second prepare: %v", err)
	}
}

package main

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// goappModule is the module the patch applies to.
const goappModule = "github.com/maxence-charriere/go-app/v10"

// removed are go-app's server-only files, by their path in the module,
// with the SHA-256 of the upstream file the patch was written against
// (v10.1.11). A file that differs may have moved browser code into it, or
// changed what browser_wasm.go copies: the build stops until someone has
// looked.
var removed = map[string]string{
	"pkg/app/http.go":     "0601189a9f611378e9b24ab4bdf42780a03cbf95c1bbebd4171b523ddbe9a32d",
	"pkg/app/resource.go": "6b52ab4ec2f4171d403384bffe159e9ec22699933e768ef5868f2851a1b84baa",
	"pkg/app/route.go":    "3252c7f2876cba69c3fbb203b0b4d5770ddd4651cdaf3ad69e5c33bfd1ccf5bd",
}

// replacements are the files of _goapp/ added to go-app's pkg/app in their
// place, under the same names.
//
//go:embed _goapp/*.go
var replacements embed.FS

// addedDir is where the replacements go in the module.
const addedDir = "pkg/app"

// checkUpstream verifies that every file the patch removes from the module
// in dir is the one it was written against.
func checkUpstream(dir, version string) error {
	var errs []error
	for _, name := range sortedKeys(removed) {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		if errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("%s %s has no %s any more", goappModule, version, name))
			continue
		} else if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		if got := hex.EncodeToString(sum[:]); got != removed[name] {
			errs = append(errs, fmt.Errorf("%s %s: %s changed upstream (sha256 %s, the patch knows %s)", goappModule, version, name, got, removed[name]))
		}
	}
	if len(errs) > 0 {
		errs = append(errs, errors.New("review frontend/cmd/wasmbuild/PATCH.md against the new files, then update the hashes in patch.go"))
	}
	return errors.Join(errs...)
}

// overlay is the -overlay file of go build: each replaced file, by its
// path as the build sees it, to its replacement, "" to delete it.
type overlay struct {
	Replace map[string]string
}

// newOverlay returns the overlay that applies the patch to the module the
// build sees at moduleDir, with the replacements written into dir.
func newOverlay(moduleDir, dir string) (overlay, error) {
	o := overlay{Replace: map[string]string{}}
	for name := range removed {
		o.Replace[filepath.Join(moduleDir, filepath.FromSlash(name))] = ""
	}
	files, err := fs.ReadDir(replacements, "_goapp")
	if err != nil {
		return o, err
	}
	for _, f := range files {
		b, err := fs.ReadFile(replacements, "_goapp/"+f.Name())
		if err != nil {
			return o, err
		}
		written := filepath.Join(dir, f.Name())
		if err := os.WriteFile(written, b, 0o644); err != nil {
			return o, err
		}
		o.Replace[filepath.Join(moduleDir, filepath.FromSlash(addedDir), f.Name())] = written
	}
	return o, nil
}

// write writes the overlay as JSON to path.
func (o overlay) write(path string) error {
	b, err := json.MarshalIndent(o, "", "\t")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

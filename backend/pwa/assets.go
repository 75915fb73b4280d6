package pwa

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strings"
)

// files holds the web assets `make wasm` writes into web/. It always holds
// web/placeholder.txt, so the package builds before the wasm exists.
//
//go:embed web
var files embed.FS

// assets are the built files the handler needs at hand.
type assets struct {
	fsys    fs.FS // rooted above "web/"
	version string
	wasm    map[string][]byte // by Content-Encoding: "", "br", "gzip"
}

// errNotBuilt means the wasm has not been built into web/ yet.
var errNotBuilt = errors.New("app.wasm not built: run make build")

// loadAssets reads version.txt and the three encodings of app.wasm.
func loadAssets(fsys fs.FS) (*assets, error) {
	v, err := fs.ReadFile(fsys, "web/version.txt")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errNotBuilt
	} else if err != nil {
		return nil, err
	}
	a := &assets{fsys: fsys, version: strings.TrimSpace(string(v)), wasm: map[string][]byte{}}
	for enc, name := range map[string]string{"": "app.wasm", "br": "app.wasm.br", "gzip": "app.wasm.gz"} {
		b, err := fs.ReadFile(fsys, "web/"+name)
		if err != nil {
			return nil, fmt.Errorf("%w (%v)", errNotBuilt, err)
		}
		a.wasm[enc] = b
	}
	if a.version == "" {
		return nil, fmt.Errorf("%w (empty version.txt)", errNotBuilt)
	}
	return a, nil
}

package pwa

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/stockstream/stockstream/frontend/webcompress"
)

// files holds the web assets `make wasm` writes into web/. It always holds
// web/placeholder.txt, so the package builds before the wasm exists.
//
//go:embed web
var files embed.FS

// The built files the handler needs at hand, under web/.
const (
	wasmName       = "web/app.wasm"
	versionName    = "web/version.txt"
	stylesheetName = "web/stockstream.css"
)

// assets are facts about the built files; the files themselves stay in the
// file system they are served from.
type assets struct {
	version    string
	stylesheet []byte
}

// errNotBuilt means the wasm has not been built into web/ yet.
var errNotBuilt = errors.New("app.wasm not built: run make build")

// loadAssets reads version.txt and the stylesheet, and checks that app.wasm
// is there in every encoding.
func loadAssets(fsys fs.FS) (*assets, error) {
	v, err := fs.ReadFile(fsys, versionName)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errNotBuilt
	} else if err != nil {
		return nil, err
	}
	a := &assets{version: strings.TrimSpace(string(v))}
	if a.version == "" {
		return nil, fmt.Errorf("%w (empty version.txt)", errNotBuilt)
	}
	if _, err := fs.Stat(fsys, wasmName); err != nil {
		return nil, fmt.Errorf("%w (%v)", errNotBuilt, err)
	}
	for _, enc := range webcompress.Encodings {
		if _, err := fs.Stat(fsys, wasmName+enc.Suffix); err != nil {
			return nil, fmt.Errorf("%w (%v)", errNotBuilt, err)
		}
	}
	if a.stylesheet, err = fs.ReadFile(fsys, stylesheetName); err != nil {
		return nil, fmt.Errorf("%w (%v)", errNotBuilt, err)
	}
	return a, nil
}

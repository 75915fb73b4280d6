package pwa

import (
	"bytes"
	"fmt"
	"net/http"

	"github.com/stockstream/stockstream/frontend/webcompress"
)

// generatedPaths are the files go-app generates for a version, with the
// paths it also answers them at.
var generatedPaths = map[string][]string{
	"/app.js":               {"/goapp.js"},
	"/wasm_exec.js":         nil,
	"/app-worker.js":        nil,
	"/manifest.webmanifest": {"/manifest.json"},
	"/app.css":              nil,
}

// generatedFile is a file go-app generates, in every encoding. The same
// version always generates the same file, so it is compressed once.
type generatedFile struct {
	contentType string
	version     string
	bodies      map[string][]byte // by encoding, "" for identity
}

// generate renders go-app's files through page, applies the edits of the
// loader and the worker, and compresses them; the result maps every path
// they are served at to their file.
func generate(page http.Handler, version string) (map[string]*generatedFile, error) {
	rendered := make(map[string]*recorder, len(generatedPaths))
	for p := range generatedPaths {
		req, err := http.NewRequest(http.MethodGet, p, nil)
		if err != nil {
			return nil, err
		}
		rec := newRecorder()
		page.ServeHTTP(rec, req)
		if rec.status != http.StatusOK {
			return nil, fmt.Errorf("generating %s: go-app answered %d", p, rec.status)
		}
		rendered[p] = rec
	}
	edits := loaderEdits(version, rendered["/wasm_exec.js"].body.Bytes())
	out := make(map[string]*generatedFile)
	for p, aliases := range generatedPaths {
		rec := rendered[p]
		body, err := applyEdits(p, rec.body.Bytes(), edits[p])
		if err != nil {
			return nil, err
		}
		g, err := newGeneratedFile(p, rec.header.Get("Content-Type"), version, body)
		if err != nil {
			return nil, err
		}
		for _, a := range append(aliases, p) {
			out[a] = g
		}
	}
	return out, nil
}

// newGeneratedFile returns the file at path with body, in every encoding.
func newGeneratedFile(path, contentType, version string, body []byte) (*generatedFile, error) {
	g := &generatedFile{contentType: contentType, version: version, bodies: map[string][]byte{"": body}}
	for _, e := range webcompress.Encodings {
		b, err := webcompress.Encode(e.Name, body, webcompress.Best)
		if err != nil {
			return nil, fmt.Errorf("compressing %s: %w", path, err)
		}
		g.bodies[e.Name] = b
	}
	return g, nil
}

// ServeHTTP serves the file in the best encoding the client accepts.
func (g *generatedFile) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	enc := negotiate(r.Header.Get("Accept-Encoding"), anyEncoding)
	serveEncoded(w, r, g.contentType, g.version, cacheRevalidate, enc, bytes.NewReader(g.bodies[enc]))
}

package pwa

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"

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

// generate renders go-app's files through page and compresses them; the
// result maps every path they are served at to their file.
func generate(page http.Handler, version string) (map[string]*generatedFile, error) {
	out := make(map[string]*generatedFile)
	for p, aliases := range generatedPaths {
		req, err := http.NewRequest(http.MethodGet, p, nil)
		if err != nil {
			return nil, err
		}
		rec := newRecorder()
		page.ServeHTTP(rec, req)
		if rec.status != http.StatusOK {
			return nil, fmt.Errorf("generating %s: go-app answered %d", p, rec.status)
		}
		body := rec.body.Bytes()
		if p == "/app.js" {
			if body, err = startAfterFirstPaint(body); err != nil {
				return nil, err
			}
		}
		g := &generatedFile{contentType: rec.header.Get("Content-Type"), version: version,
			bodies: map[string][]byte{"": body}}
		for _, e := range webcompress.Encodings {
			b, err := webcompress.Encode(e.Name, g.bodies[""], webcompress.Best)
			if err != nil {
				return nil, fmt.Errorf("compressing %s: %w", p, err)
			}
			g.bodies[e.Name] = b
		}
		for _, a := range append(aliases, p) {
			out[a] = g
		}
	}
	return out, nil
}

// appStart is the line of go-app's app.js that starts loading app.wasm as
// soon as the script runs.
const appStart = "\ngoappInitWebAssembly();\n"

// afterFirstPaint starts it once the page has painted: the browser's
// load event, then the next frame. Compiling app.wasm keeps the main thread
// busy for hundreds of milliseconds; started at once it delays the first
// paint of the server-rendered prices, and Chromium then often records the
// largest paint only when the app repaints the page (LCP 9 s instead of 1 s
// in Lighthouse's mobile run).
const afterFirstPaint = "\nwindow.addEventListener(\"load\", () => requestAnimationFrame(() => setTimeout(goappInitWebAssembly)));\n"

// startAfterFirstPaint rewrites app.js to load app.wasm after the first
// paint; it fails if go-app's app.js no longer has the line it replaces.
func startAfterFirstPaint(appJS []byte) ([]byte, error) {
	if bytes.Count(appJS, []byte(appStart)) != 1 {
		return nil, fmt.Errorf("app.js: go-app's call %q not found once", strings.TrimSpace(appStart))
	}
	return bytes.Replace(appJS, []byte(appStart), []byte(afterFirstPaint), 1), nil
}

// ServeHTTP serves the file in the best encoding the client accepts.
func (g *generatedFile) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	enc := negotiate(r.Header.Get("Accept-Encoding"), anyEncoding)
	serveEncoded(w, r, g.contentType, g.version, enc, bytes.NewReader(g.bodies[enc]))
}

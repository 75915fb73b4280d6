package pwa

import (
	"bytes"
	"fmt"
	"strconv"
)

// edit is one change to a file go-app generates: old occurs in it exactly
// once, or go-app changed and the server refuses to start.
type edit struct {
	old, new string
}

// wasmPath is the path app.wasm is loaded from. With the version in the
// query (wasmURL) it is answered as immutable: a browser keeps it, and its
// compiled code, for a year, and a new build has a new URL.
const wasmPath = "/web/app.wasm"

// wasmURL is the versioned URL of app.wasm.
func wasmURL(version string) string { return wasmPath + "?v=" + version }

// afterFirstPaint starts loading app.wasm once the page has painted: the
// browser's load event, then the next frame. The page shows the prices the
// server rendered first; the app's start never delays that paint.
const afterFirstPaint = "\nwindow.addEventListener(\"load\", () => requestAnimationFrame(() => setTimeout(goappInitWebAssembly)));\n"

// loaderEdits are the changes to go-app's loader (app.js) and worker
// (app-worker.js) for a version, by path:
//   - app.js starts app.wasm after the first paint;
//   - it instantiates app.wasm with WebAssembly.instantiateStreaming straight
//     from the fetch of its versioned URL (go-app pipes the body through a
//     ReadableStream on the main thread to show progress, and a response
//     built that way is one Chromium cannot keep compiled code for);
//   - the Go program starts in a task of its own, not in the one that
//     finishes instantiating app.wasm, so that neither holds the main
//     thread as long as both;
//   - it does not register the service worker: the app does, once it runs
//     (ui calls goappInitServiceWorker), so that a first visit downloads
//     app.wasm once, the worker precaching it from the HTTP cache;
//   - the worker precaches the versioned URL the page loads.
func loaderEdits(version string) map[string][]edit {
	url := strconv.Quote(wasmURL(version))
	return map[string][]edit{
		"/app.js": {
			{old: "\ngoappInitWebAssembly();\n", new: afterFirstPaint},
			{old: "\ngoappInitServiceWorker();\n", new: "\n"},
			{old: `fetchWithProgress("` + wasmPath + `", showProgress)`, new: "fetch(" + url + ")"},
			{old: "\n    go.run(wasm.instance);\n", new: "\n    await new Promise((resolve) => setTimeout(resolve));\n    go.run(wasm.instance);\n"},
		},
		"/app-worker.js": {
			{old: strconv.Quote(wasmPath), new: url},
		},
	}
}

// applyEdits applies edits to the file at path.
func applyEdits(path string, body []byte, edits []edit) ([]byte, error) {
	for _, e := range edits {
		if n := bytes.Count(body, []byte(e.old)); n != 1 {
			return nil, fmt.Errorf("%s: go-app's %q found %d times, not once: go-app changed, review backend/pwa/loader.go", path, e.old, n)
		}
		body = bytes.Replace(body, []byte(e.old), []byte(e.new), 1)
	}
	return body, nil
}

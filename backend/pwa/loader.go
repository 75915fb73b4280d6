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

// startLoading is where app.js starts the app: the compiler starts on
// app.wasm at once, off the main thread, while the app itself starts once
// the page has painted: the browser's load event, then the next frame. The
// page shows the prices the server rendered first; the app's start never
// delays that paint.
func startLoading(url string) string {
	return "\nconst goappCompiling = goappCanLoadWebAssembly() ? goappCompile(" + url + ") : null;\n" +
		"window.addEventListener(\"load\", () => requestAnimationFrame(() => setTimeout(goappInitWebAssembly)));\n"
}

// loaderEdits are the changes to go-app's loader (app.js) and worker
// (app-worker.js) for a version, by path:
//   - app.js compiles app.wasm in a worker (compilerJS, with wasmExecJS)
//     from its versioned URL as soon as it runs, and starts the app after
//     the first paint;
//   - it instantiates the module the worker compiled, once the worker has
//     run the program's start (go-app fetches app.wasm on the main thread,
//     piped through a ReadableStream to show progress);
//   - the Go program starts in a task of its own, not in the one that
//     finishes instantiating app.wasm, so that neither holds the main
//     thread as long as both;
//   - it does not register the service worker: the app does, once it runs
//     (ui calls goappInitServiceWorker), so that a first visit downloads
//     app.wasm once, the worker precaching it from the HTTP cache;
//   - the service worker precaches the versioned URL the page loads.
func loaderEdits(version string, wasmExecJS []byte) map[string][]edit {
	url := strconv.Quote(wasmURL(version))
	return map[string][]edit{
		"/app.js": {
			{old: "\ngoappInitWebAssembly();\n", new: startLoading(url)},
			{old: "\ngoappInitServiceWorker();\n", new: "\n"},
			{old: "const wasm = await instantiateStreaming(\n      fetchWithProgress(\"" + wasmPath + "\", showProgress),\n      go.importObject\n    );", new: "const instance = await goappInstantiate(" + url + ", goappCompiling, go.importObject);"},
			{old: "\n    go.run(wasm.instance);\n", new: "\n    await new Promise((resolve) => setTimeout(resolve));\n    go.run(instance);\n"},
			{old: "\nfunction goappCanLoadWebAssembly() {", new: loaderJS(compilerJS(wasmExecJS)) + "\nfunction goappCanLoadWebAssembly() {"},
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

// Command wasmbuild builds the dashboard's app.wasm with only the code a
// browser runs. go-app's pkg/app holds its HTTP handler beside the browser
// code (http.go, resource.go: the page renderer, the manifest and worker
// generators, net/http), and its router pulls in the regexp package for
// pattern routes the browser does not use (route.go). A build constraint
// cannot leave them out of a module we do not own, so wasmbuild builds
// through `go build -overlay`: the overlay deletes those files and adds
// the files of _goapp/, which declare what the browser code still needs.
// PATCH.md in this directory says what the patch does and how to update it.
//
// Go refuses an overlay of files in the module cache, so the build sees
// go-app through a symbolic link to its module cache directory, named by a
// replace directive in a go.work written beside the overlay. Both are
// generated at every build from `go list -m`, so they follow the version
// go.mod pins; the build fails, naming the file, when a file the patch
// removes differs from the one it was written against.
//
// Usage, from the repository root:
//
//	go run ./frontend/cmd/wasmbuild -o backend/pwa/web/app.wasm
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	out := flag.String("o", "", "where to write app.wasm")
	work := flag.String("work", "bin/wasmbuild", "directory for the generated go.work, overlay and module link")
	pkg := flag.String("pkg", "./frontend/cmd/app", "the wasm main package")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "wasmbuild: -o is required")
		os.Exit(2)
	}
	if err := build(*work, *pkg, *out); err != nil {
		fmt.Fprintln(os.Stderr, "wasmbuild:", err)
		os.Exit(1)
	}
}

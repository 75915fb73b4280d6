// Command webbuild turns a built app.wasm into the web assets the server
// embeds: it renders the icons, copies the stylesheet and the SVG icon,
// writes a brotli (.br) and a gzip (.gz) copy of app.wasm and of every other
// text asset, and writes version.txt, a hash of every asset, which the
// server uses as the app's version.
//
// Usage:
//
//	webbuild -src frontend/web -out backend/pwa/web
//
// where -out already holds app.wasm. With -budget FILE it fails when
// app.wasm, brotli-compressed, is more than 2 % over the size in FILE.
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	src := flag.String("src", "web", "directory of the static assets (stylesheet, SVG icon)")
	out := flag.String("out", "", "directory holding app.wasm; the assets are written there")
	budget := flag.String("budget", "", "file holding the brotli size budget of app.wasm; the build fails 2 % over it")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "webbuild: -out is required")
		os.Exit(2)
	}
	if err := build(*src, *out, *budget); err != nil {
		fmt.Fprintln(os.Stderr, "webbuild:", err)
		os.Exit(1)
	}
}

package pwa

import (
	"errors"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// Theme colours, also used by the manifest.
const (
	themeColor      = "#0b1120"
	backgroundColor = "#0b1120"
)

// Handler returns the PWA served from the assets embedded in the binary.
// When app.wasm has not been built, every request gets a 503 page that
// says how to build it. The pages are go-app's routes: register them once
// with ui.Routes before serving.
func Handler() http.Handler {
	h, err := New(files)
	if err != nil {
		return notBuilt(err)
	}
	return h
}

// Built reports why the embedded assets cannot be served, or nil when
// app.wasm and every asset are in the binary.
func Built() error {
	_, err := loadAssets(files)
	return err
}

// New returns the PWA handler for the assets in fsys, which holds the
// built files under "web/". Files are served from fsys as they are, never
// copied: app.wasm and the other text files in their precompressed
// encodings, the files go-app generates compressed once, pages compressed
// as they are rendered.
func New(fsys fs.FS) (http.Handler, error) {
	a, err := loadAssets(fsys)
	if err != nil {
		return nil, err
	}
	style := newInlineStyle(a.stylesheet)
	page := &app.Handler{
		Name:            "StockStream",
		ShortName:       "Stocks",
		Title:           "StockStream — live prices",
		Description:     "Live stock prices streamed to your browser, also offline.",
		Lang:            "en",
		ThemeColor:      themeColor,
		BackgroundColor: backgroundColor,
		LoadingLabel:    "Loading StockStream…",
		Icon: app.Icon{
			Default:  "/web/icon-192.png",
			Large:    "/web/icon-512.png",
			Maskable: "/web/icon-maskable-512.png",
			SVG:      "/web/icon.svg",
		},
		RawHeaders:            []string{style.element},
		CacheableResources:    []string{"/web/icon.svg"},
		Version:               a.version,
		ServiceWorkerTemplate: workerTemplate(),
	}
	gen, err := generate(page, a.version)
	if err != nil {
		return nil, err
	}
	s := &server{
		static:    staticFiles{fsys: fsys, version: a.version},
		generated: gen,
		pages:     pages{app: page},
	}
	return secure(style.source, s), nil
}

// server routes the PWA's requests.
type server struct {
	static    staticFiles
	generated map[string]*generatedFile
	pages     pages
}

// ServeHTTP serves app.wasm and /web/ from the assets, go-app's generated
// files from memory and everything else as a go-app page, except the files
// go-app would proxy: for /robots.txt, /sitemap.xml and /ads.txt it fetches
// http://<Host header>/web/..., a request to whatever host a client names.
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	p := r.URL.Path
	switch {
	case p == "/app.wasm" || p == "/goapp.wasm":
		s.static.serve(w, r, wasmName)
	case strings.HasPrefix(p, "/web/"):
		s.static.serve(w, r, strings.TrimPrefix(p, "/"))
	case s.generated[p] != nil:
		s.generated[p].ServeHTTP(w, r)
	case p == "/robots.txt":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "User-agent: *\nAllow: /\n")
	case p == "/sitemap.xml" || p == "/ads.txt":
		http.NotFound(w, r)
	default:
		s.pages.ServeHTTP(w, r)
	}
}

var notBuiltPage = template.Must(template.New("").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>StockStream: frontend not built</title></head>
<body><h1>The web app is not built</h1><p>{{.}}</p>
<p>Build it with <code>make build</code> (or <code>make wasm</code>), then start the server again.</p></body></html>
`))

// notBuilt answers every request with a page explaining err.
func notBuilt(err error) http.Handler {
	msg := err.Error()
	if !errors.Is(err, errNotBuilt) {
		msg = "loading the web assets failed: " + msg
	}
	return secure("", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusServiceUnavailable)
		notBuiltPage.Execute(w, msg)
	}))
}

package pwa

import (
	"errors"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/stockstream/stockstream/frontend/ui"
	"github.com/stockstream/stockstream/shared/stock"
)

// Theme colours, also used by the manifest.
const (
	themeColor      = "#0b1120"
	backgroundColor = "#0b1120"
)

// Handler returns the PWA served from the assets embedded in the binary.
// latest, if not nil, returns the prices rendered into the first page.
// When app.wasm has not been built, every request gets a 503 page that
// says how to build it.
func Handler(latest func() []stock.Latest) http.Handler {
	h, err := New(files, latest)
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
// built files under "web/"; latest is as for Handler.
func New(fsys fs.FS, latest func() []stock.Latest) (http.Handler, error) {
	a, err := loadAssets(fsys)
	if err != nil {
		return nil, err
	}
	ui.RoutesWithPrices(prices(latest))
	h := &app.Handler{
		Name:            "StockStream",
		ShortName:       "Stocks",
		Title:           "StockStream — live prices",
		Description:     "Live stock prices streamed to your browser, also offline.",
		Lang:            "en",
		ThemeColor:      themeColor,
		BackgroundColor: backgroundColor,
		LoadingLabel:    "Loading StockStream… {progress}%",
		Icon: app.Icon{
			Default:  "/web/icon-192.png",
			Large:    "/web/icon-512.png",
			Maskable: "/web/icon-maskable-512.png",
			SVG:      "/web/icon.svg",
		},
		Styles:                []string{"/web/stockstream.css"},
		CacheableResources:    []string{"/web/icon.svg"},
		Resources:             embedded{files: noDirs(http.FileServerFS(fsys))},
		Version:               a.version,
		WasmContentLength:     strconv.Itoa(len(a.wasm[""])),
		ServiceWorkerTemplate: workerTemplate(),
	}
	wasm := wasmHandler{bodies: a.wasm, version: a.version}
	return secure(route(h, wasm)), nil
}

// route sends app.wasm to the precompressed handler and everything else to
// go-app, except the files go-app would proxy: for /robots.txt,
// /sitemap.xml and /ads.txt it fetches http://<Host header>/web/..., a
// request to whatever host a client names.
func route(page, wasm http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/web/app.wasm", "/app.wasm", "/goapp.wasm":
			wasm.ServeHTTP(w, r)
		case "/robots.txt":
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			io.WriteString(w, "User-agent: *\nAllow: /\n")
		case "/sitemap.xml", "/ads.txt":
			http.NotFound(w, r)
		default:
			page.ServeHTTP(w, r)
		}
	})
}

// embedded is a go-app ResourceResolver that serves /web/ from the binary
// while resolving URLs as the default local directory does.
type embedded struct {
	files http.Handler
}

// Resolve returns the URL of a static resource.
func (e embedded) Resolve(path string) string { return app.LocalDir("").Resolve(path) }

// ServeHTTP serves a file under /web/.
func (e embedded) ServeHTTP(w http.ResponseWriter, r *http.Request) { e.files.ServeHTTP(w, r) }

// noDirs answers 404 for directory paths instead of listing them.
func noDirs(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
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
	return secure(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusServiceUnavailable)
		notBuiltPage.Execute(w, msg)
	}))
}

// prices returns the events of the latest prices latest returns, as the
// page renders them (nil if latest is nil).
func prices(latest func() []stock.Latest) func() []stock.StockPriceEvent {
	if latest == nil {
		return nil
	}
	return func() []stock.StockPriceEvent {
		ls := latest()
		out := make([]stock.StockPriceEvent, len(ls))
		for i, l := range ls {
			out[i] = l.StockPriceEvent
		}
		return out
	}
}

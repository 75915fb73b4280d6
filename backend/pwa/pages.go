package pwa

import (
	"bytes"
	"net/http"
	"regexp"
	"strconv"

	"github.com/stockstream/stockstream/frontend/webcompress"
)

// pages serves go-app's pages, rendered for each request with the latest
// prices. A page is compressed as it is rendered, and it has no ETag: its
// prices change while go-app's ETag, the build version, does not.
type pages struct {
	app http.Handler
}

// appCSSLink matches go-app's link to /app.css. go-app links it from every
// page, where it would block rendering; the page carries its styles inline
// instead, the loader's included.
var appCSSLink = regexp.MustCompile(`\s*<link[^>]*href="/app\.css"[^>]*>`)

// ServeHTTP renders the page. The request's URL gets the Host the request
// was sent to, so that the prerendered prices come from the server that was
// asked.
func (p pages) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r2 := r.Clone(r.Context())
	r2.URL.Host = r.Host
	r2.Header.Del("If-None-Match")
	rec := newRecorder()
	p.app.ServeHTTP(rec, r2)
	body := rec.body.Bytes()
	h := w.Header()
	for k, v := range rec.header {
		h[k] = v
	}
	h.Del("ETag")
	h.Del("Content-Length")
	if rec.status != http.StatusOK {
		w.WriteHeader(rec.status)
		w.Write(body)
		return
	}
	body = appCSSLink.ReplaceAllLiteral(body, nil)
	if h.Get("Content-Type") == "text/html" {
		h.Set("Content-Type", "text/html; charset=utf-8")
	}
	h.Add("Vary", "Accept-Encoding")
	if enc := negotiate(r.Header.Get("Accept-Encoding"), anyEncoding); enc != "" && webcompress.Compressible(h.Get("Content-Type")) {
		if c, err := webcompress.Encode(enc, body, webcompress.Fast); err == nil {
			h.Set("Content-Encoding", enc)
			body = c
		}
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// recorder keeps a response in memory.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newRecorder() *recorder { return &recorder{header: http.Header{}, status: http.StatusOK} }

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }

func (r *recorder) WriteHeader(status int) { r.status = status }

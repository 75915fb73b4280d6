package pwa

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/stockstream/stockstream/frontend/webcompress"
)

// negotiate picks the best encoding the Accept-Encoding header allows among
// those available; "" is identity.
func negotiate(header string, available func(enc string) bool) string {
	q := acceptedEncodings(header)
	for _, e := range webcompress.Encodings {
		if !available(e.Name) {
			continue
		}
		if v, ok := q[e.Name]; ok && v > 0 {
			return e.Name
		}
		if v, ok := q["*"]; ok && v > 0 {
			if _, named := q[e.Name]; !named {
				return e.Name
			}
		}
	}
	return ""
}

// anyEncoding is the available func of content that exists in every
// encoding.
func anyEncoding(string) bool { return true }

// acceptedEncodings parses "br;q=1.0, gzip;q=0.5, *;q=0" into q-values.
func acceptedEncodings(header string) map[string]float64 {
	out := map[string]float64{}
	for part := range strings.SplitSeq(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "" {
			continue
		}
		q := 1.0
		if k, v, ok := strings.Cut(strings.TrimSpace(params), "="); ok && strings.TrimSpace(k) == "q" {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				f = 0
			}
			q = f
		}
		out[name] = q
	}
	return out
}

// Cache-Control values: a file whose URL names its version never changes;
// any other is revalidated on every use.
const (
	cacheImmutable  = "public, max-age=31536000, immutable"
	cacheRevalidate = "no-cache"
)

// serveEncoded serves one encoding of a versioned file with the
// Cache-Control cache. Each encoding has its own strong ETag, the build
// version plus the encoding; clients revalidating get a 304 while the build
// is unchanged. http.ServeContent answers conditional, HEAD and range
// requests.
func serveEncoded(w http.ResponseWriter, r *http.Request, contentType, version, cache, enc string, body io.ReadSeeker) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Cache-Control", cache)
	h.Add("Vary", "Accept-Encoding")
	if enc == "" {
		h.Set("ETag", `"`+version+`"`)
		http.ServeContent(w, r, "", time.Time{}, body)
		return
	}
	h.Set("ETag", `"`+version+"-"+enc+`"`)
	http.ServeContent(encodedWriter{w, enc}, r, "", time.Time{}, body)
}

// encodedWriter adds Content-Encoding to a successful response as its
// header is written. http.ServeContent leaves out Content-Length when it
// finds a Content-Encoding, in case a wrapper compresses what it writes;
// these bodies are encoded already, and their length is known.
type encodedWriter struct {
	http.ResponseWriter
	enc string
}

func (w encodedWriter) WriteHeader(code int) {
	switch code {
	case http.StatusOK, http.StatusPartialContent, http.StatusNotModified:
		w.Header().Set("Content-Encoding", w.enc)
	}
	w.ResponseWriter.WriteHeader(code)
}

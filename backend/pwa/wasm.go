package pwa

import (
	"net/http"
	"strconv"
	"strings"
)

// wasmHandler serves app.wasm precompressed: brotli if the client accepts
// it, else gzip, else the raw file. Each encoding has its own strong ETag;
// clients revalidate (no-cache) and get a 304 while the build is unchanged.
type wasmHandler struct {
	bodies  map[string][]byte
	version string
}

// preference lists the encodings from best to worst.
var preference = []string{"br", "gzip", ""}

func (h wasmHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	enc := negotiate(r.Header.Get("Accept-Encoding"))
	body := h.bodies[enc]
	etag := h.etag(enc)
	hd := w.Header()
	hd.Set("Vary", "Accept-Encoding")
	hd.Set("ETag", etag)
	hd.Set("Cache-Control", "no-cache")
	hd.Set("Content-Type", "application/wasm")
	hd.Set("X-Content-Type-Options", "nosniff")
	if enc != "" {
		hd.Set("Content-Encoding", enc)
	}
	if etagMatch(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	hd.Set("Content-Length", strconv.Itoa(len(body)))
	if r.Method == http.MethodHead {
		return
	}
	w.Write(body)
}

// etag returns the strong ETag of one encoding: the build version, which
// hashes the raw file, plus the encoding.
func (h wasmHandler) etag(enc string) string {
	if enc == "" {
		return `"` + h.version + `"`
	}
	return `"` + h.version + "-" + enc + `"`
}

// negotiate picks the best encoding the Accept-Encoding header allows; ""
// is identity.
func negotiate(header string) string {
	q := acceptedEncodings(header)
	for _, enc := range preference[:2] {
		if v, ok := q[enc]; ok && v > 0 {
			return enc
		}
		if v, ok := q["*"]; ok && v > 0 {
			if _, named := q[enc]; !named {
				return enc
			}
		}
	}
	return ""
}

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

// etagMatch implements If-None-Match's weak comparison over a list of tags.
func etagMatch(header, etag string) bool {
	for tag := range strings.SplitSeq(header, ",") {
		tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
		if tag == "*" || tag == etag {
			return true
		}
	}
	return false
}

package pwa

import (
	"io"
	"io/fs"
	"mime"
	"net/http"
	"path"

	"github.com/stockstream/stockstream/frontend/webcompress"
)

// staticFiles serves the built files under web/ straight from their file
// system, in the best encoding the client accepts among the precompressed
// copies beside each file (name.br, name.gz). A URL with the build's version
// in its query (?v=) may be cached for ever.
type staticFiles struct {
	fsys    fs.FS
	version string
}

// serve answers with the file name of the file system; a directory or a
// missing file is a 404.
func (s staticFiles) serve(w http.ResponseWriter, r *http.Request, name string) {
	if !fs.ValidPath(name) {
		http.NotFound(w, r)
		return
	}
	enc := negotiate(r.Header.Get("Accept-Encoding"), func(enc string) bool {
		return webcompress.CompressibleFile(name) && s.exists(name+suffix(enc))
	})
	f, err := s.fsys.Open(name + suffix(enc))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	body, ok := f.(io.ReadSeeker)
	if fi, err := f.Stat(); err != nil || fi.IsDir() || !ok {
		http.NotFound(w, r)
		return
	}
	ctype := mime.TypeByExtension(path.Ext(name))
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	serveEncoded(w, r, ctype, s.version, s.cacheControl(r), enc, body)
}

// cacheControl returns how long a browser may keep the answer to r: for
// ever when its URL names the current version (?v=), as the loader asks
// for app.wasm; otherwise it revalidates.
func (s staticFiles) cacheControl(r *http.Request) string {
	if v := r.URL.Query().Get("v"); v != "" && v == s.version {
		return cacheImmutable
	}
	return cacheRevalidate
}

func (s staticFiles) exists(name string) bool {
	fi, err := fs.Stat(s.fsys, name)
	return err == nil && !fi.IsDir()
}

// suffix returns the file name suffix of an encoding's copies.
func suffix(enc string) string {
	for _, e := range webcompress.Encodings {
		if e.Name == enc {
			return e.Suffix
		}
	}
	return ""
}

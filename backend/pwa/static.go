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
// copies beside each file (name.br, name.gz).
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
	serveEncoded(w, r, ctype, s.version, enc, body)
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

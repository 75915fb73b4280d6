// Package webcompress encodes web assets in the two encodings every browser
// accepts, brotli and gzip: once at build time for the static files, once
// per version for the files the server generates, and on the fly for pages.
// Both ends use it, so the files are encoded the same way wherever that
// happens.
package webcompress

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"mime"
	"path"
	"strings"

	"github.com/andybalholm/brotli"
)

// Encoding is a content coding with the file name suffix of its
// precompressed copies.
type Encoding struct {
	Name   string // as in Content-Encoding
	Suffix string // of the precompressed file
}

// Encodings lists the encodings, best first.
var Encodings = []Encoding{{Name: "br", Suffix: ".br"}, {Name: "gzip", Suffix: ".gz"}}

// Effort says how hard to compress.
type Effort int

const (
	// Best compresses as small as the encoders can: for what is
	// compressed once and sent many times.
	Best Effort = iota
	// Fast compresses well at little cost: for responses compressed on
	// every request.
	Fast
)

// Encode returns data in the named encoding.
func Encode(name string, data []byte, e Effort) ([]byte, error) {
	var buf bytes.Buffer
	var w interface {
		Write([]byte) (int, error)
		Close() error
	}
	switch name {
	case "br":
		o := brotli.WriterOptions{Quality: brotli.BestCompression, LGWin: window(len(data))}
		if e == Fast {
			o.Quality = 5
		}
		w = brotli.NewWriterOptions(&buf, o)
	case "gzip":
		level := gzip.BestCompression
		if e == Fast {
			level = gzip.DefaultCompression
		}
		w, _ = gzip.NewWriterLevel(&buf, level)
	default:
		return nil, fmt.Errorf("webcompress: unknown encoding %q", name)
	}
	if _, err := w.Write(data); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// window returns the brotli window (log2 of its size) that holds n bytes,
// within brotli's 10 to 24: a larger one compresses no better and costs
// memory.
func window(n int) int {
	w := 10
	for w < 24 && 1<<w < n {
		w++
	}
	return w
}

// Compressible reports whether a response of this media type is worth
// compressing: text, JavaScript, JSON, SVG, WebAssembly. Images and fonts
// are compressed already. An event stream never is: compressing it would
// hold events back.
func Compressible(contentType string) bool {
	mt, _, _ := strings.Cut(contentType, ";")
	mt = strings.TrimSpace(strings.ToLower(mt))
	switch {
	case mt == "text/event-stream":
		return false
	case strings.HasPrefix(mt, "text/"), strings.HasSuffix(mt, "+json"), strings.HasSuffix(mt, "+xml"):
		return true
	}
	switch mt {
	case "application/javascript", "application/json", "application/wasm":
		return true
	}
	return false
}

// CompressibleFile reports whether a file is worth compressing, by the
// media type of its extension.
func CompressibleFile(name string) bool {
	return Compressible(mime.TypeByExtension(path.Ext(name)))
}

// Decode returns data decoded from the named encoding.
func Decode(name string, data []byte) ([]byte, error) {
	var r io.Reader
	switch name {
	case "br":
		r = brotli.NewReader(bytes.NewReader(data))
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		r = zr
	default:
		return nil, fmt.Errorf("webcompress: unknown encoding %q", name)
	}
	return io.ReadAll(r)
}

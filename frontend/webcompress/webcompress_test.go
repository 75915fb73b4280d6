package webcompress_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stockstream/stockstream/frontend/webcompress"
)

func TestEncodeRoundTrips(t *testing.T) {
	data := []byte(strings.Repeat("<p>118.88</p>\n", 500))
	for _, enc := range webcompress.Encodings {
		for _, effort := range []webcompress.Effort{webcompress.Best, webcompress.Fast} {
			out, err := webcompress.Encode(enc.Name, data, effort)
			if err != nil {
				t.Fatal(err)
			}
			back, err := webcompress.Decode(enc.Name, out)
			if err != nil || !bytes.Equal(back, data) {
				t.Errorf("%s effort %d: round trip failed (%v)", enc.Name, effort, err)
			}
			if len(out) >= len(data)/10 {
				t.Errorf("%s effort %d: %d bytes from %d", enc.Name, effort, len(out), len(data))
			}
		}
	}
	if _, err := webcompress.Encode("zstd", data, webcompress.Best); err == nil {
		t.Error("an unknown encoding was accepted")
	}
	if _, err := webcompress.Decode("zstd", data); err == nil {
		t.Error("an unknown encoding was decoded")
	}
	if _, err := webcompress.Decode("gzip", data); err == nil {
		t.Error("plain text decoded as gzip")
	}
}

func TestCompressible(t *testing.T) {
	for ct, want := range map[string]bool{
		"text/html; charset=utf-8":  true,
		"text/css":                  true,
		"application/javascript":    true,
		"application/manifest+json": true,
		"image/svg+xml":             true,
		"application/wasm":          true,
		"TEXT/PLAIN":                true,
		"text/event-stream":         false,
		"image/png":                 false,
		"":                          false,
		"application/octet-stream":  false,
	} {
		if got := webcompress.Compressible(ct); got != want {
			t.Errorf("Compressible(%q) = %v, want %v", ct, got, want)
		}
	}
	for name, want := range map[string]bool{"stockstream.css": true, "icon.svg": true, "icon-192.png": false, "app.wasm": true} {
		if got := webcompress.CompressibleFile(name); got != want {
			t.Errorf("CompressibleFile(%q) = %v, want %v", name, got, want)
		}
	}
}

package pwa

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
)

// contentSecurityPolicy allows what the app uses and nothing else: scripts,
// images, the manifest and the service worker from this origin, the page's
// inline stylesheet by its hash (style-src gets it), WebAssembly compilation
// ('wasm-unsafe-eval', not 'unsafe-eval'), fetch and EventSource to this
// origin, the loader's compiler worker from a blob: URL that app.js makes
// from its own source (scripts themselves still come only from this
// origin), and no framing.
func contentSecurityPolicy(styleSource string) string {
	return "default-src 'none'; " +
		"script-src 'self' 'wasm-unsafe-eval'; " +
		"style-src 'self'" + prefixed(styleSource) + "; " +
		"img-src 'self' data:; " +
		"connect-src 'self'; " +
		"manifest-src 'self'; " +
		"worker-src 'self' blob:; " +
		"base-uri 'none'; " +
		"form-action 'self'; " +
		"frame-ancestors 'none'"
}

func prefixed(s string) string {
	if s == "" {
		return ""
	}
	return " " + s
}

// secure adds the security headers to every response of next; styleSource
// is the CSP source of the page's inline stylesheet, or "".
func secure(styleSource string, next http.Handler) http.Handler {
	csp := contentSecurityPolicy(styleSource)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}

// inlineStyle is a stylesheet carried in the page: no request blocks the
// first render.
type inlineStyle struct {
	element string // the <style> element
	source  string // the CSP source that allows exactly this stylesheet
}

func newInlineStyle(css []byte) inlineStyle {
	sum := sha256.Sum256(css)
	return inlineStyle{
		element: "<style>" + string(css) + "</style>",
		source:  "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'",
	}
}

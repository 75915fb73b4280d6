package main

import "strings"

// withScheme returns a server address with http:// in front when it has
// no scheme, so that localhost:8080 works as well as http://localhost:8080.
func withScheme(s string) string {
	if s == "" || strings.Contains(s, "://") {
		return s
	}
	return "http://" + s
}

package main

import "testing"

func TestVersionHashesNamesAndContents(t *testing.T) {
	a := map[string][]byte{"app.wasm": []byte("x"), "icon.svg": []byte("y")}
	v := Version(a)
	if len(v) != 20 || Version(map[string][]byte{"icon.svg": []byte("y"), "app.wasm": []byte("x")}) != v {
		t.Fatalf("version %q is not stable", v)
	}
	for _, other := range []map[string][]byte{
		{"app.wasm": []byte("x2"), "icon.svg": []byte("y")},
		{"app.wasm": []byte("x"), "icon2.svg": []byte("y")},
		{"app.wasm": []byte("xy"), "icon.svg": []byte("")},
	} {
		if Version(other) == v {
			t.Errorf("%v has the same version", other)
		}
	}
}

package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"slices"

	"github.com/stockstream/stockstream/frontend/icon"
	"github.com/stockstream/stockstream/frontend/sizebudget"
	"github.com/stockstream/stockstream/frontend/webcompress"
)

// staticFiles are copied from the source directory as they are.
var staticFiles = []string{"stockstream.css", "icon.svg"}

// icons are rendered at build time: name, size, maskable.
var icons = []struct {
	name     string
	size     int
	maskable bool
}{
	{"icon-192.png", 192, false},
	{"icon-512.png", 512, false},
	{"icon-maskable-512.png", 512, true},
}

// build writes every asset into out and then version.txt. With a budget
// file, it fails when app.wasm, brotli-compressed, is over the budget.
func build(src, out, budgetFile string) error {
	wasm, err := os.ReadFile(filepath.Join(out, "app.wasm"))
	if err != nil {
		return fmt.Errorf("read app.wasm (build it first with GOOS=js GOARCH=wasm): %w", err)
	}
	assets := map[string][]byte{"app.wasm": wasm}
	for _, name := range staticFiles {
		b, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			return err
		}
		assets[name] = b
	}
	for _, ic := range icons {
		var buf bytes.Buffer
		if err := png.Encode(&buf, icon.Draw(ic.size, ic.maskable)); err != nil {
			return fmt.Errorf("encode %s: %w", ic.name, err)
		}
		assets[ic.name] = buf.Bytes()
	}
	for name, b := range assets {
		if name == "app.wasm" {
			continue
		}
		if err := os.WriteFile(filepath.Join(out, name), b, 0o644); err != nil {
			return err
		}
	}
	if err := writeCompressed(out, assets); err != nil {
		return err
	}
	if budgetFile != "" {
		budget, err := sizebudget.Read(budgetFile)
		if err != nil {
			return err
		}
		fi, err := os.Stat(filepath.Join(out, "app.wasm.br"))
		if err != nil {
			return err
		}
		fmt.Printf("app.wasm.br %d bytes, %.1f %% of the budget of %d\n", fi.Size(), 100*float64(fi.Size())/float64(budget), budget)
		if err := sizebudget.Check(fi.Size(), budget, budgetFile); err != nil {
			return err
		}
	}
	version := Version(assets)
	fmt.Printf("app.wasm %d bytes, version %s\n", len(wasm), version)
	return os.WriteFile(filepath.Join(out, "version.txt"), []byte(version+"\n"), 0o644)
}

// Version returns the hex prefix of a SHA-256 over every asset's name and
// content: the same build gives the same version on every replica and
// restart, and any change to the app gives a new one.
func Version(assets map[string][]byte) string {
	names := make([]string, 0, len(assets))
	for n := range assets {
		names = append(names, n)
	}
	slices.Sort(names)
	h := sha256.New()
	for _, n := range names {
		fmt.Fprintf(h, "%s\x00%d\x00", n, len(assets[n]))
		h.Write(assets[n])
	}
	return hex.EncodeToString(h.Sum(nil))[:20]
}

// writeCompressed writes a brotli (.br) and a gzip (.gz) copy of every
// asset worth compressing, at the best compression.
func writeCompressed(out string, assets map[string][]byte) error {
	for name, b := range assets {
		if !webcompress.CompressibleFile(name) {
			continue
		}
		for _, enc := range webcompress.Encodings {
			c, err := webcompress.Encode(enc.Name, b, webcompress.Best)
			if err != nil {
				return fmt.Errorf("compress %s: %w", name, err)
			}
			if err := os.WriteFile(filepath.Join(out, name+enc.Suffix), c, 0o644); err != nil {
				return err
			}
			fmt.Printf("%s%s %d bytes\n", name, enc.Suffix, len(c))
		}
	}
	return nil
}

// Package sizebudget holds app.wasm to a size kept in the repository: the
// wasm build (frontend/cmd/webbuild) and the browser tests fail when
// app.wasm, brotli-compressed, grows more than Slack over the figure in the
// budget file.
package sizebudget

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Slack is how far app.wasm, brotli-compressed, may grow over the figure
// kept in the repository before the build fails.
const Slack = 0.02

// Read reads a budget file: lines starting with # are comments, the first
// other line is the budget in bytes.
func Read(path string) (int64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		n, err := strconv.ParseInt(line, 10, 64)
		if err != nil || n <= 0 {
			return 0, fmt.Errorf("%s: %q is not a size in bytes", path, line)
		}
		return n, nil
	}
	return 0, fmt.Errorf("%s: no size in bytes", path)
}

// Check fails when size is more than Slack over budget, the figure read
// from path.
func Check(size, budget int64, path string) error {
	limit := budget + int64(float64(budget)*Slack)
	if size > limit {
		return fmt.Errorf("app.wasm is %d bytes brotli-compressed, %.1f %% over the budget of %d in %s (at most %.0f %% over): "+
			"find what grew (a new import: GOOS=js GOARCH=wasm go list -deps ./frontend/cmd/app) or, if it earns its bytes, raise the figure",
			size, 100*float64(size-budget)/float64(budget), budget, path, 100*Slack)
	}
	return nil
}

package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// budgetSlack is how far app.wasm, brotli-compressed, may grow over the
// figure kept in the repository before the build fails.
const budgetSlack = 0.02

// readBudget reads the budget file: lines starting with # are comments,
// the first other line is the budget in bytes.
func readBudget(path string) (int64, error) {
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

// checkBudget fails when size is more than budgetSlack over budget.
func checkBudget(size, budget int64, path string) error {
	limit := budget + int64(float64(budget)*budgetSlack)
	if size > limit {
		return fmt.Errorf("app.wasm is %d bytes brotli-compressed, %.1f %% over the budget of %d in %s (at most %.0f %% over): "+
			"find what grew (see frontend/cmd/wasmbuild/PATCH.md and go tool nm on an unstripped build) or, if it earns its bytes, raise the figure",
			size, 100*float64(size-budget)/float64(budget), budget, path, 100*budgetSlack)
	}
	return nil
}

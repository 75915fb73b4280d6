package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// build compiles stockstream (with the repository's go.work), the load
// generator and the peers (in the bench module, without go.work) into
// binDir.
func build(root, binDir string) error {
	steps := []struct {
		dir, gowork string
		args        []string
	}{
		{root, filepath.Join(root, "go.work"), []string{"build", "-o", filepath.Join(binDir, "stockstream"), "./backend/cmd/stockstream"}},
		{filepath.Join(root, "bench"), "off", []string{"build", "-o", binDir + "/",
			"./cmd/loadgen", "./peers/r3labs", "./peers/gosse", "./peers/centrifuge", "./peers/mercure"}},
	}
	for _, s := range steps {
		cmd := exec.Command("go", s.args...)
		cmd.Dir = s.dir
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		cmd.Env = append(os.Environ(), "GOWORK="+s.gowork)
		fmt.Fprintln(os.Stderr, "benchall: go", s.args)
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("go %v: %w", s.args, err)
		}
	}
	return nil
}

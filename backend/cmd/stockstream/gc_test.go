package main

import (
	"runtime/debug"
	"testing"
)

func TestServerLowersGOGCOnlyWhereTheEnvironmentSetsNone(t *testing.T) {
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)

	if setGCPercent(func(k string) string { return map[string]string{"GOGC": "200"}[k] }) {
		t.Fatal("overrode the environment's GOGC")
	}
	if got := debug.SetGCPercent(100); got != 100 {
		t.Fatalf("GOGC %d after the environment set one, want it left at 100", got)
	}
	if !setGCPercent(noEnv) {
		t.Fatal("left Go's default GOGC where the environment sets none")
	}
	if got := debug.SetGCPercent(100); got != gcPercent {
		t.Fatalf("GOGC %d, want %d", got, gcPercent)
	}
}

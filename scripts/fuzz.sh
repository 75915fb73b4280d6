#!/usr/bin/env bash
# Runs fuzz targets, each given as package:Target:count.
#
#   scripts/fuzz.sh [TARGET…]                 each for its count of executions
#   FUZZTIME=5m scripts/fuzz.sh [TARGET…]     each for a duration instead
#
# A count (-fuzztime Nx) stops after N executions and sets no deadline, so
# it cannot fail the way a duration can on a busy machine: Go 1.26's fuzz
# coordinator sometimes reports its own -fuzztime deadline as a failure,
# "context deadline exceeded", having found nothing (golang/go#75804, fixed
# in Go 1.27). With a duration, that bare message with no reproducer written
# is therefore reported and not counted as a finding; a run that writes a
# failing input (testdata/fuzz/…) always fails.
set -uo pipefail

failed=0
for spec in "$@"; do
	IFS=: read -r pkg target count <<<"$spec"
	budget=${FUZZTIME:-$count}
	out=$(mktemp)
	go test "$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "$budget" -fuzzminimizetime 500x 2>&1 | tee "$out"
	status=${PIPESTATUS[0]}
	if [ "$status" -ne 0 ]; then
		if [ -n "${FUZZTIME:-}" ] && grep -q 'context deadline exceeded' "$out" && ! grep -q 'Failing input written to' "$out"; then
			echo "fuzz: $target: the fuzz coordinator hit its own deadline (golang/go#75804); no failing input was found"
		else
			echo "fuzz: $target FAILED" >&2
			failed=1
		fi
	fi
	rm -f "$out"
done
exit "$failed"

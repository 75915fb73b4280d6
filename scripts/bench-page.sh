#!/usr/bin/env bash
# Measures how the dashboard starts, this release beside the previous one,
# in one run: builds the previous release (PREV_REF, default af677af) from
# git in a temporary worktree, serves both with their simulators on
# loopback, and runs bench/cmd/pagebench against them: Lighthouse 12 mobile
# and desktop, the first live price cold and warm, the longest main-thread
# task at start, app.wasm's brotli size; medians of RUNS (default 3) runs,
# alternating. Prints the table and writes it to bin/bench-page.md.
# Expects bin/stockstream to be built (make bench-page builds it).
set -euo pipefail
cd "$(dirname "$0")/.."

prev_ref=${PREV_REF:-af677af}
runs=${RUNS:-3}
this_port=${BENCH_PAGE_PORT:-18481}
prev_port=$((this_port + 1))

[ -x bin/stockstream ] || { echo "bench-page: bin/stockstream missing: run make build" >&2; exit 1; }
if [ ! -x tools/node_modules/.bin/lighthouse ]; then
	echo "bench-page: installing the npm packages of tools/ (Lighthouse)"
	npm ci --prefix tools --no-audit --no-fund --loglevel=error
fi
chrome=${CHROME_PATH:-$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)}
[ -n "$chrome" ] || { echo "bench-page: no Chromium found: run make test-deps or set CHROME_PATH" >&2; exit 1; }

tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
	git worktree remove --force "$tmp/prev" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

echo "bench-page: building the previous release, $prev_ref, in $tmp/prev"
git worktree add --quiet --detach "$tmp/prev" "$prev_ref"
make -C "$tmp/prev" build >"$tmp/prev-build.log" 2>&1 || { cat "$tmp/prev-build.log" >&2; exit 1; }

serve() { # binary port
	"$1" --addr "127.0.0.1:$2" --log-level warn &
	pids+=($!)
	for _ in $(seq 100); do
		curl -fsS -o /dev/null "http://127.0.0.1:$2/readyz" 2>/dev/null && return
		sleep 0.1
	done
	echo "bench-page: $1 did not start on port $2" >&2
	exit 1
}
serve "$PWD/bin/stockstream" "$this_port"
serve "$tmp/prev/bin/stockstream" "$prev_port"
sleep 2 # let the simulators publish a few prices

(cd bench && GOWORK=off go run ./cmd/pagebench -runs "$runs" -chromium "$chrome" \
	-lighthouse "$PWD/../tools/node_modules/.bin/lighthouse" \
	-this "http://127.0.0.1:$this_port" -prev "http://127.0.0.1:$prev_port" -o ../bin/bench-page.md)

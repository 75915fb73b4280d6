#!/usr/bin/env bash
# Runs LaunchDarkly's SSE client conformance suite
# (github.com/launchdarkly/sse-contract-tests, pinned below) against the Go
# client, through its test service backend/cmd/ssetestservice on a
# loopback port. The suite is fetched from the Go module proxy by its exact
# version; the service declares the optional capabilities it has.
set -euo pipefail
GO=${GO:-go}
SUITE=github.com/launchdarkly/sse-contract-tests/v2@v2.4.1
PORT=${SSE_CONTRACT_PORT:-8111}

dir=$(mktemp -d)
trap 'kill "${pid:-}" 2>/dev/null || true; rm -rf "$dir"' EXIT
$GO build -o "$dir/ssetestservice" ./backend/cmd/ssetestservice
"$dir/ssetestservice" -addr "127.0.0.1:$PORT" &
pid=$!
GOWORK=off GOFLAGS=-mod=mod $GO run "$SUITE" --url "http://127.0.0.1:$PORT"

#!/usr/bin/env bash
# Installs what the browser and Redis tests need: Debian's chromium and
# redis-server. Installs with apt-get when running as root on Debian/Ubuntu;
# otherwise says what to install. Under CI=true a missing tool is an error.
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "test-deps: installing ${missing[*]} with apt-get"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	exit 0
fi

echo "test-deps: missing ${missing[*]}." >&2
echo "  Debian/Ubuntu: sudo apt-get install ${missing[*]}" >&2
echo "  macOS:         brew install --cask chromium; brew install redis" >&2
if [ "${CI:-}" = "true" ]; then
	echo "test-deps: CI=true, the browser and Redis tests cannot run without them" >&2
	exit 1
fi
echo "test-deps: continuing; the tests that need them will fail" >&2

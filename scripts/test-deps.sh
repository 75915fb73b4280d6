#!/usr/bin/env bash
# Installs what the browser, accessibility and Redis tests need: Debian's
# chromium and redis-server, Node.js with npm, and the pinned npm packages of
# tools/ (axe-core). Installs with apt-get when running as root on
# Debian/Ubuntu; otherwise says what to install. A missing tool fails the
# tests that need it, saying so.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "test-deps: installing ${missing[*]} with apt-get"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq
		apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	else
		echo "test-deps: missing ${missing[*]}." >&2
		echo "  Debian/Ubuntu: sudo apt-get install ${missing[*]}" >&2
		echo "  macOS:         brew install --cask chromium; brew install redis node" >&2
		if [ "${CI:-}" = "true" ]; then
			echo "test-deps: CI=true, the browser and Redis tests cannot run without them" >&2
			exit 1
		fi
		echo "test-deps: continuing; the tests that need them will fail" >&2
		exit 0
	fi
fi

# axe-core for the accessibility tests, at the version package-lock.json
# pins; installed again only when it is missing or another version.
want=$(node -p 'require("./tools/package-lock.json").packages["node_modules/axe-core"].version')
have=$(node -p 'try { require("./tools/node_modules/axe-core/package.json").version } catch { "" }')
if [ "$want" != "$have" ]; then
	echo "test-deps: installing axe-core $want from npm into tools/node_modules"
	npm ci --prefix tools --omit=dev --no-audit --no-fund --loglevel=error
fi

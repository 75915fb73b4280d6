#!/usr/bin/env bash
# Audits the dashboard served by bin/stockstream with Lighthouse 12 (the
# version tools/package-lock.json pins), mobile and desktop presets, in
# headless Chromium. Prints the category scores and LCP/TBT/CLS, and
# writes the reports to bin/lighthouse-{mobile,desktop}.{json,html}.
set -euo pipefail
cd "$(dirname "$0")/.."

[ -x bin/stockstream ] || { echo "lighthouse: bin/stockstream missing: run make build" >&2; exit 1; }
if [ ! -x tools/node_modules/.bin/lighthouse ]; then
	echo "lighthouse: installing the npm packages of tools/"
	npm ci --prefix tools --no-audit --no-fund --loglevel=error
fi
export CHROME_PATH=${CHROME_PATH:-$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)}
[ -n "$CHROME_PATH" ] || { echo "lighthouse: no Chromium found: run make test-deps or set CHROME_PATH" >&2; exit 1; }

port=${LIGHTHOUSE_PORT:-18480}
url="http://127.0.0.1:$port/"
bin/stockstream --addr "127.0.0.1:$port" --log-level warn &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do
	curl -fsS -o /dev/null "http://127.0.0.1:$port/readyz" 2>/dev/null && break
	sleep 0.1
done
sleep 2 # let the simulator publish a few prices

for preset in mobile desktop; do
	args=()
	[ "$preset" = desktop ] && args+=(--preset=desktop)
	tools/node_modules/.bin/lighthouse "$url" "${args[@]}" --quiet \
		--chrome-flags="--headless=new --no-sandbox --disable-dev-shm-usage" \
		--output=json --output=html --output-path="bin/lighthouse-$preset"
	node -e '
		const r = require(process.argv[1]);
		const c = Object.entries(r.categories).map(([k, v]) => k + " " + Math.round(v.score * 100)).join(", ");
		const a = (id) => r.audits[id].displayValue;
		console.log(process.argv[2] + ": " + c + "; LCP " + a("largest-contentful-paint") + ", TBT " + a("total-blocking-time") + ", CLS " + a("cumulative-layout-shift") + ", FCP " + a("first-contentful-paint"));
	' "$PWD/bin/lighthouse-$preset.report.json" "$preset"
done
echo "reports: bin/lighthouse-mobile.report.html, bin/lighthouse-desktop.report.html (load: $(cut -d' ' -f1-3 /proc/loadavg))"

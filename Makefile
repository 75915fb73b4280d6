# stockstream — one command to run, one to test.
SHELL := /bin/bash
GO    ?= go
BIN   := bin/stockstream
# The packages of the three modules of go.work.
PKGS  := ./shared/... ./frontend/... ./backend/...

.PHONY: run build wasm test-wasm test test-deps vet lint fuzz sse-contract bench bench-go bench-page lighthouse clean help

help: ## List the targets.
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

run: build ## Build everything and serve http://localhost:8080 with the price simulator.
	./$(BIN) $(ARGS)

build: wasm ## Build bin/stockstream, one binary with the frontend embedded.
	$(GO) build -trimpath -o $(BIN) ./backend/cmd/stockstream

# The built web assets live in the package that embeds them.
WEB     := backend/pwa/web
WEB_SRC := $(shell find frontend shared -name '*.go' -not -name '*_test.go') $(wildcard frontend/web/*) frontend/go.mod frontend/go.sum \
	frontend/wasm-budget.txt go.work $(shell $(GO) env GOROOT)/VERSION

wasm: $(WEB)/version.txt ## Build the WebAssembly frontend and its compressed copies.

# app.wasm with the same Go as the server (go-app serves the server's
# wasm_exec.js), built by wasmbuild without go-app's server code (see
#); then app.wasm.br/.gz, icons, stylesheet
# and version.txt. The build fails when app.wasm, brotli-compressed, grows
# more than 2 % over the figure in frontend/wasm-budget.txt.
$(WEB)/version.txt: $(WEB_SRC)
	$(GO) run ./frontend/cmd/wasmbuild -o $(WEB)/app.wasm
	$(GO) run ./frontend/cmd/webbuild -src frontend/web -out $(WEB) -budget frontend/wasm-budget.txt

# The EventSource wrapper's tests run as wasm inside headless Chromium.
WASMBROWSERTEST := $(shell $(GO) env GOPATH)/bin/wasmbrowsertest

test-wasm: ## Run the frontend's browser-only (js/wasm) tests in headless Chromium.
	@test -x $(WASMBROWSERTEST) || GOWORK=off GOBIN=$(dir $(WASMBROWSERTEST)) $(GO) install github.com/agnivade/wasmbrowsertest@v0.11.0
	GOOS=js GOARCH=wasm $(GO) test -count=1 -exec $(WASMBROWSERTEST) ./frontend/sse

test: test-deps wasm vet test-wasm ## Run every test (browser and Redis ones included) with the race detector, then each fuzzer for a fixed count.
	$(GO) test -race -count=1 -timeout 30m $(PKGS)
	@bash scripts/fuzz.sh $(FUZZ_TARGETS)

test-deps: ## Install Chromium, redis-server, Node.js/npm and axe-core when missing (Debian/Ubuntu as root).
	@bash scripts/test-deps.sh

vet: ## go vet, natively and for the wasm build of the frontend.
	$(GO) vet $(PKGS)
	GOOS=js GOARCH=wasm $(GO) vet ./frontend/...
	@test -z "$$(gofmt -l shared frontend backend)" || { gofmt -l shared frontend backend; echo "gofmt needed"; exit 1; }

lint: vet ## Static checks.

# Every fuzz target as package:Target:executions. make test runs each for
# its count of executions (no deadline, so a busy machine cannot fail it);
# the counts take a few seconds each on this project's 2-core machines.
FUZZ_TARGETS := \
	./shared/stock:FuzzParsePrice:50000x \
	./shared/stock:FuzzParseSymbol:50000x \
	./shared/stock:FuzzPriceJSON:50000x \
	./shared/stock:FuzzEventJSON:50000x \
	./shared/sse:FuzzAppendEvent:30000x \
	./shared/sse:FuzzReader:30000x \
	./backend/http:FuzzDecodeQuotes:10000x \
	./backend/http:FuzzPublishBody:5000x \
	./backend/http:FuzzSymbolsFilter:10000x \
	./backend/http:FuzzStreamQuery:10000x \
	./shared/message:FuzzDecodeUpdate:20000x \
	./shared/pricefile:FuzzRead:10000x \
	./shared/pricefile:FuzzHeader:20000x \
	./shared/pricefile:FuzzRow:20000x \
	./shared/pricefile:FuzzLoad:2000x \
	./backend/http:FuzzBarsQuery:10000x \
	./backend/http:FuzzPublishRequest:10000x \
	./backend/access:FuzzVerify:20000x \
	./backend/clientip:FuzzForwardedClient:20000x

fuzz: ## Fuzz every parser for FUZZTIME each (default 30s); a finding writes its input under testdata/fuzz.
	@FUZZTIME=$${FUZZTIME:-30s} bash scripts/fuzz.sh $(FUZZ_TARGETS)

sse-contract: ## Run LaunchDarkly's SSE client conformance suite against the Go client.
	GO=$(GO) bash scripts/sse-contract.sh

bench: ## Load-test stockstream beside Mercure, Centrifuge, go-sse and r3labs/sse; writes BENCHMARKS.md (BENCH_QUICK=1: short run).
	cd bench && GOWORK=off $(GO) run ./cmd/benchall

bench-go: ## Go benchmarks of the hot paths (benchstat-friendly).
	$(GO) test -run '^$$' -bench . -benchmem -count 5 ./backend/fanout ./backend/http ./backend/redis ./shared/client
	$(GO) test -run '^$$' -bench 'ClientThroughput|PublishMax' -benchtime 3s -count 5 ./backend/cmd/stockstream

bench-page: build ## How the page starts beside the previous release (af677af): Lighthouse, first live price, longest task, app.wasm; medians of 3 (RUNS=n).
	@bash scripts/bench-page.sh

lighthouse: build ## Audit the dashboard with Lighthouse 12, mobile and desktop (installs it from npm into tools/).
	@bash scripts/lighthouse.sh

clean: ## Remove build output.
	rm -rf bin

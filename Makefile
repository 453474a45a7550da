# gluff-verify. `make` installs and builds; `make test` runs every test (what CI runs);
# `make check` adds format check, lint and typecheck; `make demo` is the embedded default job;
# `make install PREFIX=DIR` puts a `gluff-verify` command in DIR/bin.
#
# Exit codes: GNU make exits 2 whenever a recipe fails, whatever code the recipe returned, so `make
# verify`, `make soak`, `make demo` and `make rig-soak` cannot tell a fail (1) from an inconclusive run
# (2) or a config error (3). Each says the code it got, and cron and CI call what it runs instead,
# which returns the verdict's code itself: scripts/make-verify.sh, scripts/soak.sh, `npx gluff-verify
# demo`, `npx gluff-verify rig` (README "Exit codes").
SHELL := /bin/bash
NPM_STAMP := node_modules/.install-stamp
TSX := node --import tsx
MOCHA := npx mocha
FAULTS ?=
HOURS ?=
CLIENTS ?=
SEED ?=
SOAK_HOURS ?= 24
SOAK_SPEEDUP ?= 96
SOAK_CLIENTS ?=
SOAK_SEED ?= 1
SOAK_FAULTS ?=
DEMO_OUT ?=
PREFIX ?= /usr/local
CC ?= cc
NATIVE_UDP := build/gv_udp.node
NODE_INCLUDE := $(shell node -p "require('path').resolve(process.execPath, '../../include/node')")

.PHONY: all build install uninstall test test-unit test-integration check lint format format-check typecheck bench bench-collector bench-where sweep demo verify soak golden clean mariadb rig-soak rig-down screenshots

all: build

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

build: $(NPM_STAMP) $(NATIVE_UDP)
	npx tsc -p tsconfig.build.json

# `$(call exit_code,ENTRY)` after a failing recipe's command: says which code the command returned
# (make's own is always 2) and what cron and CI run to get it, then fails with that code.
exit_code = { rc=$$?; case $$rc in 1) m='regressions found';; 2) m=inconclusive;; \
  3) m='usage, config or environment error';; *) m='internal error or interrupted';; esac; \
  echo "make $@: exit code $$rc ($$m); GNU make exits 2 for every failing recipe: cron and CI run $(1), which returns the code itself" >&2; \
  exit $$rc; }

# A `gluff-verify` command in PREFIX/bin (default /usr/local; PREFIX=~/.local needs no root): a
# two-line sh wrapper that runs this checkout's bin/gluff-verify.js with the node that built it, so it
# works from any folder and under cron's PATH. Run it again after moving the checkout or changing Node.
# (`npm link` does the same through npm's global prefix; `npx gluff-verify` works inside the checkout.)
INSTALL_MARK := written by gluff-verify's make install
install: build
	@node=$$(command -v node) || { echo "make install: node is not on PATH" >&2; exit 1; }; \
	  mkdir -p "$(PREFIX)/bin" && \
	  printf '#!/bin/sh\n# %s from %s\nexec %q %q "$$@"\n' "$(INSTALL_MARK)" "$(CURDIR)" "$$node" "$(CURDIR)/bin/gluff-verify.js" \
	    > "$(PREFIX)/bin/gluff-verify.tmp" && \
	  chmod 755 "$(PREFIX)/bin/gluff-verify.tmp" && mv "$(PREFIX)/bin/gluff-verify.tmp" "$(PREFIX)/bin/gluff-verify" && \
	  echo "installed $(PREFIX)/bin/gluff-verify (runs $(CURDIR)/bin/gluff-verify.js with $$node)"

# Removes PREFIX/bin/gluff-verify if make install wrote it; anything else there is left alone.
uninstall:
	@f="$(PREFIX)/bin/gluff-verify"; \
	if [ ! -e "$$f" ]; then echo "$$f: not installed"; \
	elif grep -qF "$(INSTALL_MARK)" "$$f"; then rm -f "$$f" && echo "removed $$f"; \
	else echo "$$f: not written by make install; left alone" >&2; exit 1; fi

# The collector's recvmmsg UDP reader (native/udp-recv.c, a Node-API addon; no node-gyp needed: it
# includes only node_api.h and links nothing). Without cc or Node's headers it is left unbuilt and the
# collector reads UDP with node:dgram instead (it says so at start).
$(NATIVE_UDP): native/udp-recv.c
	@mkdir -p $(dir $@)
	@if [ -f "$(NODE_INCLUDE)/node_api.h" ] && command -v $(CC) >/dev/null 2>&1; then \
	  echo "$(CC) -O2 -shared -fPIC -pthread -o $@ native/udp-recv.c"; \
	  $(CC) -O2 -Wall -Wextra -shared -fPIC -pthread -I"$(NODE_INCLUDE)" -o $@ native/udp-recv.c; \
	else \
	  echo "note: $@ not built (needs $(CC) and $(NODE_INCLUDE)/node_api.h); UDP is read with node:dgram"; \
	fi

# Starts the local MariaDB when it is not running (integration tests need it; CI starts it too).
mariadb:
	@bash test/helpers/ensure-mariadb.sh

ALL_SPECS := 'test/unit/**/*.spec.ts' 'test/golden/**/*.spec.ts' 'test/integration/**/*.spec.ts'

test: build mariadb
	$(MOCHA) $(ALL_SPECS)

test-unit: $(NPM_STAMP)
	$(MOCHA) 'test/unit/**/*.spec.ts' 'test/golden/**/*.spec.ts'

test-integration: build mariadb
	$(MOCHA) 'test/integration/**/*.spec.ts'

typecheck: $(NPM_STAMP)
	npx tsc -p tsconfig.json --noEmit

lint: $(NPM_STAMP)
	npx eslint src test bench

format: $(NPM_STAMP)
	npx prettier --write 'src/**/*.ts' 'test/**/*.ts' 'bench/**/*.ts'

format-check: $(NPM_STAMP)
	npx prettier --check 'src/**/*.ts' 'test/**/*.ts' 'bench/**/*.ts'

check: format-check lint typecheck test

# Every bench/*.bench.ts prints its figures; none of them is a pass/fail test.
bench: build mariadb
	@for f in bench/*.bench.ts; do echo "== $$f"; $(TSX) $$f || exit 1; done

# A long run of the whole pipeline through a real collector process, its own memory sampled
# (SOAK_HOURS, SOAK_SPEEDUP, SOAK_CLIENTS, SOAK_SEED, SOAK_FAULTS; default a day in 15 minutes).
# make exits 2 for any non-zero verdict and prints the real code: cron and CI run scripts/soak.sh (the
# same variables in its environment), whose exit code is the verdict's.
soak: build
	@SOAK_HOURS=$(SOAK_HOURS) SOAK_SPEEDUP=$(SOAK_SPEEDUP) SOAK_CLIENTS=$(SOAK_CLIENTS) SOAK_SEED=$(SOAK_SEED) \
	  SOAK_FAULTS=$(SOAK_FAULTS) bash scripts/soak.sh || $(call exit_code,scripts/soak.sh)

# The seed's rig on this box (root, network namespaces, the local MariaDB) with your patched dhcpd and
# gluff (or STOCK=1: Debian's dhcpd alone), judged by verify (README "Rig on one box"). Settings: DHCPD,
# GLUFF, STOCK, HOURS / MINUTES / SECONDS (default 8 min), CLIENTS (1..40), TOPOLOGY, RESHUFFLE, LEASE,
# CHURN, FAULTS, SEED, RIG_ID. make exits 2 for any non-zero verdict: cron and CI call
# `npx gluff-verify rig` or scripts/rig-soak.sh, whose exit code is the verdict's.
DHCPD ?=
GLUFF ?=
STOCK ?=
MINUTES ?=
SECONDS ?=
TOPOLOGY ?=
RESHUFFLE ?=
LEASE ?=
CHURN ?=
RIG_ID ?=
PURGE ?=
FORCE ?=
rig-soak: $(NPM_STAMP) $(NATIVE_UDP)
	@DHCPD=$(DHCPD) GLUFF=$(GLUFF) STOCK=$(STOCK) HOURS=$(HOURS) MINUTES=$(MINUTES) SECONDS_RUN=$(SECONDS) \
	  CLIENTS=$(CLIENTS) TOPOLOGY=$(TOPOLOGY) RESHUFFLE=$(RESHUFFLE) LEASE=$(LEASE) CHURN=$(CHURN) \
	  FAULTS=$(FAULTS) SEED=$(SEED) $(if $(RIG_ID),RIG_ID=$(RIG_ID)) bash scripts/rig-soak.sh

# Removes what a killed rig-soak left behind (namespaces gvrg<RIG_ID>-*, RIG_ID=all for every rig's, their
# processes); FORCE=1 also stops a live run, PURGE=1 also drops the rigs' databases and users.
rig-down:
	@RIG_ID=$(RIG_ID) bash scripts/rig-soak.sh --down $(if $(FORCE),--force) $(if $(PURGE),--purge)

# Pictures of the HTML report for the README (docs/report-*.png; SCREENSHOTS_OUT for another folder) and each
# page's size and load time: the 1000-client demo day, real Gluff golden run 1 and a demo day with faults,
# opened in headless Chromium (apt-get install -y chromium). Not part of make test.
screenshots: build mariadb
	bash scripts/screenshots.sh

# The collector benchmark alone (a C sender at rising rates against ours and Debian's rsyslog).
bench-collector: build
	$(TSX) bench/collector.bench.ts

# `where` on a year of a 50,000-client network (73 M lines, ~20 GiB; building the store takes ~10 min):
# `make bench` runs bench/where.bench.ts on 14 days. WHERE_BENCH_DIR=DIR keeps the store for the next run.
bench-where: build
	WHERE_BENCH_DAYS=365 $(TSX) bench/where.bench.ts

# Soundness sweep: both Option 82 paths, fifty clean seeds and every catalogue fault on seeds 1-10 (~90 s).
sweep: $(NPM_STAMP)
	$(TSX) bench/soundness-sweep.bench.ts

# Regenerates the golden counts from the captured lines with grep alone (needs jq); review the diff.
golden:
	bash test/capture/count-kinds.sh test/golden/failover-relay/input.log \
	  "$$(jq -r .referenceUtc test/golden/failover-relay/expected.json)" > test/golden/failover-relay/expected.json.new
	mv test/golden/failover-relay/expected.json.new test/golden/failover-relay/expected.json
	git diff --stat -- test/golden

# The simulated rig, end to end (FAULTS, HOURS, CLIENTS, SEED; DEMO_OUT: the output folder, default
# reports/demo-seed<SEED>/). make exits 2 for any non-zero verdict and prints the real code: cron and CI
# run `npx gluff-verify demo ...` (the same options), whose exit code is the verdict's.
DEMO_ARGS = $(if $(FAULTS),--faults $(FAULTS)) $(if $(HOURS),--hours $(HOURS)) $(if $(CLIENTS),--clients $(CLIENTS)) $(if $(SEED),--seed $(SEED)) $(if $(DEMO_OUT),--out "$(DEMO_OUT)")
demo: build
	@echo 'node bin/gluff-verify.js demo $(strip $(DEMO_ARGS))'
	@node bin/gluff-verify.js demo $(DEMO_ARGS) || $(call exit_code,npx gluff-verify demo)

# Settings from the environment or gluff-verify.local.env (see README "make verify"). make exits 2 for
# any non-zero verdict and prints the real code: cron and CI run scripts/make-verify.sh, whose exit code
# is the verdict's.
verify: build
	@bash scripts/make-verify.sh || $(call exit_code,scripts/make-verify.sh)

clean:
	rm -rf dist build node_modules

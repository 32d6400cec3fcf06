# Set-up is part of every entry point: a fresh Debian machine needs only `make demo` or `make test`.
SHELL := /bin/bash
APT_PACKAGES := libtorch-dev libgloo-dev libopenblas0-pthread dataset-fashion-mnist chromium
# What node-gyp needs to build the addon.
BUILD_PACKAGES := g++ make python3
ADDON := native/build/Release/wildcat_native.node
STAMP := node_modules/.package-lock.json

.PHONY: all setup apt npm native build test demo bench parity parity-apt clean

all: build

setup: apt npm native build

# Installs the packages of $(1) that dpkg reports missing, so a prepared machine skips apt entirely.
define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi
endef

apt:
	$(call apt_install,$(APT_PACKAGES) $(BUILD_PACKAGES))

$(STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $(STAMP)

npm: $(STAMP)

# native/build.cjs is the one build of the addon (also npm's install hook and `npm run build:native`):
# node-gyp against libtorch (native/libtorch.cjs: LIBTORCH, else the system's) and this Node's headers.
$(ADDON): $(wildcard native/*.gyp native/*.cjs native/*.cc native/*.h) | $(STAMP)
	node native/build.cjs

native: apt npm $(ADDON)

# tsc, then the studio page (package.json build:studio: type-checked for the browser, bundled by
# esbuild into dist/src/studio/assets/studio.{js,css}, next to the server that serves it).
build: native
	./node_modules/.bin/tsc -p .
	npm run --silent build:studio

test: setup
	node --test --test-concurrency=1 --test-timeout=600000 $$(find dist/test -name '*.test.js' | sort)

demo: setup
	node dist/src/cli/main.js demo

bench: setup
	node dist/bench/engine.js
	node dist/bench/wsl.js
	node dist/bench/crf.js
	node dist/bench/distributed.js
	node dist/bench/contention.js

# The lockstep guard against PyTorch needs Debian's python3-torch; only this target installs it
# (make test does not need it).
PARITY_PACKAGES := python3-torch

parity-apt:
	$(call apt_install,$(PARITY_PACKAGES))

parity: setup parity-apt
	node dist/parity/parity.js

clean:
	rm -rf dist native/build

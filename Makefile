# Set-up is part of every entry point: a fresh Debian machine needs only `make demo` or `make test`.
SHELL := /bin/bash
APT_PACKAGES := libtorch-dev libopenblas0-pthread dataset-fashion-mnist chromium
ADDON := native/build/Release/wildcat_native.node
STAMP := node_modules/.package-lock.json

.PHONY: all setup apt npm native build test demo bench clean

all: build

setup: apt npm native build

# Installs only what dpkg reports missing, so a prepared machine skips apt entirely.
apt:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

$(STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $(STAMP)

npm: $(STAMP)

# Node's own headers ship with the machine's Node (no download): point node-gyp at them.
NODEDIR := $(shell node -p "require('path').resolve(process.execPath, '../..')")

$(ADDON): native/binding.gyp native/libtorch.cjs $(wildcard native/*.cc native/*.h) | $(STAMP)
	@test -f $(NODEDIR)/include/node/node_api.h || { echo "Node headers not found in $(NODEDIR)/include/node (install Node with its headers, e.g. Debian nodejs + libnode-dev)"; exit 1; }
	cd native && ../node_modules/.bin/node-gyp rebuild --nodedir=$(NODEDIR) --jobs=2

native: apt npm $(ADDON)

# The studio page: type-checked for the browser, then bundled (esbuild) into dist next to the
# server that serves it (dist/src/studio/assets/studio.{js,css}).
STUDIO_ASSETS := dist/src/studio/assets

build: native
	./node_modules/.bin/tsc -p .
	./node_modules/.bin/tsc -p src/studio/page
	./node_modules/.bin/esbuild src/studio/page/main.ts --bundle --format=esm --platform=browser --target=es2022 \
	  --legal-comments=none --log-level=warning --outfile=$(STUDIO_ASSETS)/studio.js

test: setup
	node --test --test-concurrency=1 --test-timeout=600000 $$(find dist/test -name '*.test.js' | sort)

demo: setup
	node dist/src/cli/main.js demo

bench: setup
	node dist/bench/engine.js
	node dist/bench/wsl.js

clean:
	rm -rf dist native/build

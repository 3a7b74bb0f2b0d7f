# runts build. `make` builds everything into dist/; `make test` runs every test tier.
SHELL := /bin/bash
NODE ?= node
CC ?= gcc
CFLAGS ?= -O2 -g
NATIVE_CFLAGS := $(CFLAGS) -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -Inative/include
VERSION := $(shell $(NODE) -p "require('./package.json').version")
COMMIT := $(shell git rev-parse --verify -q HEAD 2>/dev/null || echo unknown)
PREFIX ?= /usr/local

NATIVE_SRCS := $(wildcard native/src/*.c)
NATIVE_HDRS := $(wildcard native/src/*.h native/include/*.h)
TS_SRCS := $(shell find src test bench scripts -name '*.ts' 2>/dev/null)
INIT := dist/native/runts-init
EXAMPLE := build/example-bundle

# node --test with an explicit file list: node 20 does not expand globs itself.
tests_in = $(shell find $(1) -name '*.test.js' 2>/dev/null | sort)

.PHONY: all build native ts validators example unit native-test integration clients test demo bench install clean
all: build
build: ts native validators dist/build-info.json example

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

ts: dist/.ts-stamp
dist/.ts-stamp: node_modules/.package-lock.json tsconfig.json $(TS_SRCS)
	$(NODE) node_modules/typescript/bin/tsc -p tsconfig.json
	@touch $@

native: $(INIT)
$(INIT): $(NATIVE_SRCS) $(NATIVE_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(NATIVE_CFLAGS) -DRUNTS_VERSION='"$(VERSION)"' -o $@ $(NATIVE_SRCS)

validators: dist/validators/config.js
dist/validators/config.js: schemas/config.schema.json scripts/build-validators.js node_modules/.package-lock.json
	$(NODE) scripts/build-validators.js schemas/config.schema.json $@

# Rewritten only when the version or the commit changed, so --version never shows a stale commit.
dist/build-info.json: FORCE
	@mkdir -p dist
	@printf '{"version":"%s","commit":"%s"}\n' '$(VERSION)' '$(COMMIT)' > $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi
FORCE:

# An example bundle from Debian's busybox-static, for the README's first command.
example: $(EXAMPLE)/config.json
$(EXAMPLE)/config.json: scripts/make-bundle.sh dist/.ts-stamp
	bash scripts/make-bundle.sh $(EXAMPLE)

unit: build
	$(NODE) --test --test-concurrency=2 $(call tests_in,dist/test/unit)

native-test: build
	$(NODE) --test --test-concurrency=1 $(call tests_in,dist/test/native)

integration: build
	$(NODE) --test --test-concurrency=1 $(call tests_in,dist/test/integration)

# containerd/ctr, podman/conmon and dockerd driving bin/runts (test/clients/), one file
# at a time: containerd and dockerd's containerd share /run/containerd/s, and each file
# removes the host dirs it made only when no other client test is running.
clients: build
	$(NODE) --test --test-concurrency=1 $(call tests_in,dist/test/clients)

# Everything, as root: the command README names and .ci/run calls.
test: build
	$(NODE) --test --test-concurrency=2 $(call tests_in,dist/test/unit dist/test/native dist/test/integration)
	$(NODE) --test --test-concurrency=1 $(call tests_in,dist/test/clients)

# The main job on a fresh machine: install, build, run a container (README).
demo:
	bash scripts/setup.sh
	$(MAKE) build
	bash scripts/demo.sh

bench: build
	$(NODE) dist/bench/run.js

install: build
	ln -sf $(CURDIR)/bin/runts $(PREFIX)/bin/runts

clean:
	rm -rf dist build

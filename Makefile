# Quick start: `make demo` (lint and rewrite the built-in example) and `make test` (every test).
.PHONY: demo test setup setup-test bench

demo:
	scripts/setup.sh controller
	scripts/demo.sh

test:
	scripts/setup.sh test
	scripts/test.sh

setup:
	scripts/setup.sh controller

setup-test:
	scripts/setup.sh test

bench:
	scripts/setup.sh test
	scripts/bench.sh

"""The benchmarks are not tests: `make bench` runs them (tests/bench/run.py), pytest never does."""

collect_ignore_glob = ["*"]

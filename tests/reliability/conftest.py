"""The scenarios are not collected here: `make reliability` (run.py) runs them, and
tests/e2e/test_reliability.py runs their reduced versions."""

collect_ignore_glob = ["*"]

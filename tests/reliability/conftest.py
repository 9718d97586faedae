"""The reliability scenarios run from `make reliability` (run.py) and tests/e2e/test_reliability.py."""

collect_ignore_glob = ["*"]

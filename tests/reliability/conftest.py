"""The reliability scenarios run from `make reliability` (run.py) and tests/test_reliability.py."""

collect_ignore_glob = ["*"]

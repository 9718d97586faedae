"""The peers' own trees (Go module, npm package, vectors) hold no pytest tests."""

collect_ignore = ["go", "ts", "vectors"]

"""protoc-gen-nexus-docs: a Markdown catalogue of the Nexus services in a contract.

The same pipeline as the Python generator, on the same selection: parameters ->
`resolve` -> model, then `catalogue` (the messages, fields, rules and links the
model leaves out) -> `pages` (one generator function per section, writing
through `markdown`, the one escaping function) -> one page per `.proto` file
with Nexus services and an index, `README.md`.
"""

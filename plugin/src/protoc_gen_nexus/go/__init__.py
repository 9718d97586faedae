"""protoc-gen-nexus-go: Go code for the Go team from the same annotated contract.

parameters   Go's plugin options (paths, module, M) and the shared tag filters
resolve      the language-neutral model -> the Go model, every Go name decided
writer       GoFile: imports by package, gofmt-shaped lines, string literals
generator    one function per part of a `_nexus.pb.go`
plugin       request -> response, errors returned, never raised
"""

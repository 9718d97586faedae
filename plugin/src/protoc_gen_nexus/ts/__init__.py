"""protoc-gen-nexus-ts: TypeScript for the TypeScript team from the same annotated contract.

Messages are protobuf-es's (protoc-gen-es); this plugin writes, beside each
`X_pb.ts`, three files that use them and the runtime package `@nexusproto/runtime`:

parameters   import_extension (as protoc-gen-es), runtime, the shared tag filters
resolve      the language-neutral model -> the TypeScript model, every name decided
writer       TsFile: imports by module with aliases, TSDoc, string literals
generator    one function per part of `X_nexus.ts`, `X_nexus_handler.ts`, `X_nexus_client.ts`
plugin       request -> response, errors returned, never raised
"""

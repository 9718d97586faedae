#!/bin/sh
# The same Python output with protoc alone, no buf.
set -eu
mkdir -p build gen-protoc
python -m nexusproto.validate_descriptors build/validate.binpb
protoc \
  -I proto \
  -I "$(python -m nexusproto.include)" \
  --descriptor_set_in=build/validate.binpb \
  --python_out=gen-protoc \
  --mypy_out=gen-protoc \
  --nexus-python_out=gen-protoc \
  billing/v1/billing.proto
# The contract's _pb2 module imports buf/validate/validate_pb2.py: generate it too.
protoc --descriptor_set_in=build/validate.binpb --python_out=gen-protoc buf/validate/validate.proto

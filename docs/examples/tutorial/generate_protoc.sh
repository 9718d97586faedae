#!/bin/sh
# The same gen/ with protoc alone.
set -eu
mkdir -p build gen
python -m nexusproto.validate_descriptors build/validate.binpb

# Your _pb2 modules import buf/validate/validate_pb2: generate it once.
protoc --descriptor_set_in=build/validate.binpb \
  --python_out=gen --mypy_out=gen \
  buf/validate/validate.proto

protoc --descriptor_set_in=build/validate.binpb \
  -I proto -I "$(python -m nexusproto.include)" \
  --python_out=gen --mypy_out=gen --nexus-python_out=gen \
  shipping/v1/shipping.proto

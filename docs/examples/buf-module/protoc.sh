#!/bin/sh
# Without buf: protoc finds the option protos in the installed package.
set -eu
mkdir -p gen
protoc \
  -I proto \
  -I "$(python -m nexusproto.include)" \
  --python_out=gen \
  --nexus-python_out=gen \
  shipping/v1/shipping.proto

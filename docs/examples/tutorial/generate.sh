#!/bin/sh
# Generates gen/ from proto/ with buf, without network: protoc compiles the
# contracts into an image (build/image.binpb), buf.gen.yaml generates from it.
set -eu
mkdir -p build

# buf/validate/validate.proto, which the contracts import, as descriptors.
python -m nexusproto.validate_descriptors build/validate.binpb

protoc --descriptor_set_in=build/validate.binpb \
  -I proto -I "$(python -m nexusproto.include)" \
  --include_imports --include_source_info \
  --descriptor_set_out=build/image.binpb \
  shipping/v1/shipping.proto

# buf.yaml's lint rules, on the contracts only (not on what they import).
buf lint build/image.binpb --path shipping

buf generate

#!/bin/sh
# Generates gen/ and catalogue/ from proto/ without network: protoc compiles the
# contracts into an image, buf generates from the image.
set -eu
mkdir -p build
# buf/validate/validate.proto as descriptors, from the protovalidate wheel.
python -m nexusproto.validate_descriptors build/validate.binpb
protoc \
  -I proto \
  -I "$(python -m nexusproto.include)" \
  --descriptor_set_in=build/validate.binpb \
  --include_imports --include_source_info \
  --descriptor_set_out=build/image.binpb \
  $(cd proto && find . -name '*.proto' | sed 's|^\./||' | sort)
buf generate

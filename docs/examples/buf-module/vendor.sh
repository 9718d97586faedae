#!/bin/sh
# Copies the option protos of the installed nexusproto package into the
# workspace, as the local module buf.yaml lists. Run it again after upgrading
# nexusproto, so the protos match the option modules the package ships.
set -eu
rm -rf third_party/nexusproto
mkdir -p third_party
cp -RL "$(python -m nexusproto.include)" third_party/nexusproto

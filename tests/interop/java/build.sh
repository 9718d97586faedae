#!/usr/bin/env bash
# Builds the Java side of the interop tests into build/java (all of it gitignored):
#
#   build/java/gen/current/    Java messages of the contracts (protoc --java_out)
#                              and their Nexus code (protoc-gen-nexus-java), from
#                              the descriptor set `make generate` builds
#   build/java/gen/old/        the OLDER payments contract (tests/interop/go/proto_old)
#   build/java/gen/new/        the NEWER payments contract (tests/interop/go/proto_new)
#   build/java/target/classes  the program (src/main/java) with the current messages
#                              and src/contract/current
#   build/java/target/contract-old, contract-new
#                              the older/newer messages with src/contract/old (new):
#                              put first on the class path, they replace the current
#                              messages and interop.Contract (see test_java.py)
#   build/java/classpath.txt   the dependencies' jars
#   build/java/message-classes.txt
#                              the outer classes of the contracts' messages
#   build/java/m2/             the local Maven repository (kept between runs; a CI
#                              job that keeps build/ reuses it and builds offline)
#   build/java/.stamp          digest of the inputs of the last build: when they did
#                              not change, the script does nothing
#
# Needs `make generate` first (build/image.binpb, build/validate.binpb), `java`
# (17+) and `mvn`. Online once, for the package registry; offline (`mvn -o`)
# once build/java/m2 holds what the build needs. tests/interop/test_java.py runs
# it once per session; run it by hand the same way:
#   tests/interop/java/build.sh
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
cd "$root"
# protoc from the project's virtualenv (make setup), as `make generate` uses.
export PATH="$root/.venv/bin:$PATH"

out="$root/build/java"
gen="$out/gen"
repo="$out/m2"

for input in build/image.binpb build/validate.binpb; do
  if [[ ! -f $input ]]; then
    echo "build.sh: $input is missing: run \`make generate\` first" >&2
    exit 1
  fi
done

# Nothing to do when no input changed since the last build (the stamp is the
# inputs' digest, written last).
inputs_digest() {
  {
    sha256sum build/image.binpb build/validate.binpb $(find proto -name '*.proto' | sort) \
      tests/interop/go/proto_old/payments/v1/payments.proto \
      tests/interop/go/proto_new/payments/v1/payments.proto
    find tests/interop/java plugin/java/src plugin/src/protoc_gen_nexus -type f \
      ! -path '*/target/*' ! -name '*.pyc' -print0 | sort -z | xargs -0 sha256sum
    protoc --version
    java -version 2>&1
  } | sha256sum | cut -d' ' -f1
}
digest=$(inputs_digest)
if [[ -f $out/.stamp && "$(cat "$out/.stamp")" == "$digest" && -f $out/classpath.txt ]]; then
  exit 0
fi
rm -f "$out/.stamp"

# Java messages of every file of proto/ (as `make generate` compiles them) and
# of the validate rules they use; protobuf-java ships the well-known types.
mapfile -t files < <(cd proto && find . -name '*.proto' | sed 's|^\./||' | sort)
rm -rf "$gen"
mkdir -p "$gen/current" "$gen/old" "$gen/new"
protoc --descriptor_set_in=build/image.binpb --java_out="$gen/current" \
  "${files[@]}" buf/validate/validate.proto
# The Nexus code of the example contracts (the Java team serves them all and
# calls payments).
protoc --descriptor_set_in=build/image.binpb --nexus-java_out="$gen/current" \
  payments/v1/payments.proto orders/v1/carts.proto orders/v1/orders.proto
# The outer classes of the contracts' messages, for `interop vectors`.
(cd "$gen/current" && find payments orders -maxdepth 2 -name '*.java' | sort |
  sed -e 's|\.java$||' -e 's|/|.|g') >"$out/message-classes.txt"

# The older and the newer payments contract: proto_old/ (proto_new/) shadows
# proto/payments/v1/payments.proto; proto/ and the validate descriptors supply
# its imports. Only the payments messages are generated: the rest is shared.
for version in old new; do
  protoc --descriptor_set_in=build/validate.binpb -Itests/interop/go/proto_$version -Iproto \
    --java_out="$gen/$version" --nexus-java_out="$gen/$version" payments/v1/payments.proto
done

# Offline when the local repository already has what this pom needs (a marker
# written after the last online build of the same pom).
pom=tests/interop/java/pom.xml
pom_sum=$(sha256sum "$pom" | cut -d' ' -f1)
offline=()
if [[ -f $repo/.resolved && "$(cat "$repo/.resolved")" == "$pom_sum" ]]; then
  offline=(-o)
fi
mvn -B -q "${offline[@]}" -f "$pom" -Dmaven.repo.local="$repo" \
  -Dgen.dir="$gen" -Dout.dir="$out/target" \
  compile dependency:build-classpath -Dmdep.outputFile="$out/classpath.txt"
echo "$pom_sum" >"$repo/.resolved"
echo "$digest" >"$out/.stamp"

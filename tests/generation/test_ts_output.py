"""protoc-gen-nexus-ts on the example contracts and every fixture.

Golden files (tests/golden/ts, `make golden` rewrites them) are diffed here with
real protoc and no Node.js. With Node.js, the golden files are type-checked by
`tsc --strict --noUncheckedIndexedAccess` beside protoc-gen-es's messages and
against the runtime package (plugin/ts), and the runtime's payload converter is
run against the shared wire vectors; without Node.js those tests skip, or fail
with NEXUSPROTO_REQUIRE_INTEROP=1 (CI).
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from support.golden import EXAMPLES
from support.protoc import PROTO_DIR, REPO, option_include_dir, run_protoc, validate_set
from support.toolchains import TS_RUNTIME, ts_project, ts_runtime

FIXTURES = REPO / "tests" / "fixtures" / "proto"
GOLDEN = REPO / "tests" / "golden" / "ts"
RUNTIME = TS_RUNTIME
VECTORS = REPO / "tests" / "interop" / "vectors"
# The TypeScript interop peer's vector check, run here on freshly generated code.
VECTOR_CHECK = REPO / "tests" / "interop" / "ts" / "src" / "vectors.ts"
# longrunning/ declares asynchronous updates and activity-backed operations, which the
# TypeScript output refuses (test_ts_plugin.py checks the error).
NOT_FOR_TS = ("longrunning/",)
FIXTURE_PROTOS = sorted(
    path
    for path in (p.relative_to(FIXTURES).as_posix() for p in FIXTURES.rglob("*.proto"))
    if not path.startswith(NOT_FOR_TS)
)
TREES = {"examples": EXAMPLES, "fixtures": FIXTURE_PROTOS}
OUTPUTS = ("*_nexus.ts", "*_nexus_handler.ts", "*_nexus_client.ts")
# Files the messages of the contracts import (protoc-gen-es writes them too).
OPTION_PROTOS = ["nexusannotations/v1/options.proto", "nexusproto/v1/options.proto"]


def _generate(out: Path, tree: str, protos: list[str], *, es_out: bool = False) -> None:
    includes = [PROTO_DIR] if tree == "examples" else [FIXTURES, option_include_dir()]
    out.mkdir(parents=True, exist_ok=True)
    args = [f"-I{path}" for path in includes]
    if tree == "examples":
        args.append(f"--descriptor_set_in={validate_set(out)}")
    args += [f"--nexus-ts_out={out}"]
    if tree == "fixtures":
        args.append("--nexus-ts_opt=exclude-operation-tags=internal")
    extra: list[str] = []
    if es_out:
        plugin = RUNTIME / "node_modules" / ".bin" / "protoc-gen-es"
        args += [f"--plugin=protoc-gen-es={plugin}", f"--es_out={out}", "--es_opt=target=ts"]
        extra = OPTION_PROTOS + (["buf/validate/validate.proto"] if tree == "examples" else [])
    result = run_protoc(args + protos + extra)
    assert result.returncode == 0, result.stderr


def _tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): p.read_text()
        for pattern in OUTPUTS
        for p in root.rglob(pattern)
        if "node_modules" not in p.parts
    }


@pytest.mark.parametrize("tree", sorted(TREES))
def test_generated_ts_matches_golden_files(tree: str, tmp_path: Path) -> None:
    _generate(tmp_path, tree, TREES[tree])
    produced = _tree(tmp_path)
    golden = GOLDEN / tree
    if os.environ.get("UPDATE_GOLDEN"):
        shutil.rmtree(golden, ignore_errors=True)
        for name, content in produced.items():
            (golden / name).parent.mkdir(parents=True, exist_ok=True)
            (golden / name).write_text(content)
    assert produced, "nothing generated"
    assert produced == _tree(golden), f"TypeScript output differs from tests/golden/ts/{tree} (make golden)"


def test_ts_output_is_independent_of_file_order(tmp_path: Path) -> None:
    _generate(tmp_path / "a", "fixtures", FIXTURE_PROTOS)
    _generate(tmp_path / "b", "fixtures", list(reversed(FIXTURE_PROTOS)))
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")


# With Node.js --------------------------------------------------------------------------


def _run(args: list[str], cwd: Path, timeout: float = 600) -> str:
    proc = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)
    assert proc.returncode == 0, f"{' '.join(args)}:\n{proc.stdout[-6000:]}\n{proc.stderr[-6000:]}"
    return proc.stdout


@pytest.fixture(scope="module")
def runtime() -> tuple[str, Path]:
    """node, and tsc of the runtime package, installed and built (support.toolchains)."""
    return ts_runtime()


# Code a team writes against the generated examples: what must compile, and, marked
# `@ts-expect-error` (tsc fails when the marked line has no error), what must not.
USAGE = """\
import { create } from '@bufbuild/protobuf';
import { PaymentServiceWorkflowClient, paymentService } from './payments/v1/payments_nexus';
import { PaymentServiceStandaloneClient } from './payments/v1/payments_nexus_client';
import { paymentServiceHandler } from './payments/v1/payments_nexus_handler';
import {
  HealthStatusSchema,
  ProcessPaymentRequestSchema,
  ProcessPaymentResponseSchema,
  RefundPaymentRequestSchema,
} from './payments/v1/payments_pb';
import { cartServiceHandler } from './orders/v1/carts_nexus_handler';
import type { Client } from '@temporalio/client';

export async function workflowCode(): Promise<boolean> {
  const payments = new PaymentServiceWorkflowClient();
  const response = await payments.processPayment(create(ProcessPaymentRequestSchema, {}));
  const id: string = response.transactionId;
  // @ts-expect-error a RefundPaymentRequest is not a ProcessPaymentRequest
  await payments.processPayment(create(RefundPaymentRequestSchema, {}));
  // @ts-expect-error CheckHealth takes no request: google.protobuf.Empty is void
  await payments.checkHealth(create(ProcessPaymentRequestSchema, {}));
  // @ts-expect-error ResetLedger answers nothing: google.protobuf.Empty is void
  const nothing: string = await payments.resetLedger();
  const handle = await payments.startRefundPayment(create(RefundPaymentRequestSchema, {}), {
    scheduleToCloseTimeout: '5m',
  });
  (await handle.result()).refundId satisfies string;
  // @ts-expect-error operations are keyed by the method name, not the wire name
  void paymentService.operations['refund-payment'];
  return id === nothing || (await payments.checkHealth()).acceptingCharges;
}

export function handlers(): void {
  paymentServiceHandler({
    processPayment: async (_ctx, request) =>
      create(ProcessPaymentResponseSchema, { transactionId: request.orderId }),
    checkHealth: async () => create(HealthStatusSchema, { acceptingCharges: true }),
    resetLedger: async () => {},
  });
  // @ts-expect-error the sync operations are the team's to write
  paymentServiceHandler({ resetLedger: async () => {} });
  // Every CartService operation is bound to a workflow: nothing to write.
  cartServiceHandler({});
}

export async function application(client: Client): Promise<string> {
  const payments = new PaymentServiceStandaloneClient(client, 'payments-endpoint');
  const response = await payments.processPayment(create(ProcessPaymentRequestSchema, {}), { id: 'op-1' });
  return response.transactionId;
}
"""


@pytest.mark.parametrize("tree", sorted(TREES))
def test_golden_ts_passes_strict_tsc(tree: str, runtime: tuple[str, Path], tmp_path: Path) -> None:
    """The golden files, beside protoc-gen-es's messages of the same protos, type-check
    with `strict`, `noUncheckedIndexedAccess`, `exactOptionalPropertyTypes` and the unused
    checks; for the examples, so does a team's code using them, and what the generated
    types must refuse is refused (USAGE)."""
    node, tsc = runtime
    _generate(tmp_path, tree, TREES[tree], es_out=True)
    for name, content in _tree(GOLDEN / tree).items():
        (tmp_path / name).write_text(content)
    if tree == "examples":
        (tmp_path / "usage.ts").write_text(USAGE)
    ts_project(tmp_path, ["**/*.ts"])
    _run([node, str(tsc), "-p", str(tmp_path / "tsconfig.json")], tmp_path)




def test_payload_converter_reproduces_the_wire_vectors(
    runtime: tuple[str, Path], tmp_path: Path
) -> None:
    """The runtime's protobuf-es converter, with the generated `messageTypes`, against the
    vectors the Python SDK wrote (tests/interop/vectors): the same metadata and binary
    bytes, JSON with the same value (int64 as strings, enum names, lowerCamelCase keys),
    both read back, and a field from a newer contract ignored."""
    node, tsc = runtime
    _generate(tmp_path / "gen", "examples", EXAMPLES, es_out=True)
    (tmp_path / "vectors.ts").write_text(VECTOR_CHECK.read_text())
    ts_project(tmp_path, ["**/*.ts"], emit=True)
    _run([node, str(tsc), "-p", str(tmp_path / "tsconfig.json")], tmp_path)
    compiled = next((tmp_path / "out").rglob("vectors.js"))
    report = json.loads(_run([node, str(compiled), str(VECTORS)], tmp_path))
    files = sorted(p.name for p in VECTORS.glob("*.json"))
    assert [entry["file"] for entry in report] == files
    for entry, name in zip(report, files, strict=True):
        vector = json.loads((VECTORS / name).read_text())
        for encoding, key in (("json/protobuf", "jsonMetadata"), ("binary/protobuf", "binaryMetadata")):
            expected = vector["payloads"][encoding]["metadata"]
            assert entry[key] == expected, name
        for check in ("jsonValueIdentical", "binaryBytesIdentical", "jsonReadsBack", "binaryReadsBack", "unknownJsonFieldIgnored"):
            assert entry[check], f"{name}: {check}"


def test_map_keys_in_violations_read_as_python_writes_them(runtime: tuple[str, Path]) -> None:
    """Field paths in BAD_REQUEST messages quote string map keys as Python's `repr` does
    (checked by the Go runtime against the same file): the runtime's `pythonRepr` on each
    key of plugin/go/testdata/python_violations.json gives the subscript Python wrote."""
    node, _ = runtime
    cases = [
        case
        for case in json.loads((REPO / "plugin/go/testdata/python_violations.json").read_text())
        if "key" in case
    ]
    assert cases
    script = (
        f"const {{ pythonRepr }} = require({json.dumps(str(RUNTIME / 'lib' / 'validation.js'))});"
        "const keys = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));"
        "process.stdout.write(JSON.stringify(keys.map(pythonRepr)));"
    )
    proc = subprocess.run(
        [node, "-e", script],
        input=json.dumps([case["key"] for case in cases]),
        capture_output=True,
        text=True,
        check=True,
    )
    for case, shown in zip(cases, json.loads(proc.stdout), strict=True):
        assert f"by_name[{shown}]." in case["summary"], case["name"]

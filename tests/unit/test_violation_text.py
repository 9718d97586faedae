"""How violations read, shared with the Go runtime: plugin/go/testdata/python_violations.json.

The Python runtime's text for the test messages of plugin/go/internal/testpb is
held to that file here, and the Go runtime's to the same file by its
validation_test.go, so a Go handler and a Python handler refuse a request with
the same words. `UPDATE_GOLDEN=1` rewrites the file from the Python runtime.
"""

import importlib
import json
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from nexusproto import validation
from support.protoc import REPO, run_protoc, validate_set

TESTPB = REPO / "plugin" / "go" / "internal" / "testpb"
SHARED = REPO / "plugin" / "go" / "testdata" / "python_violations.json"
KEYS = [
    "plain", "it's", 'say "hi"', "both ' and \"", "tab\there", "nl\n", "cr\r",
    "back\\slash", "\x00\x1f\x7f\x80\x9f", "é€😀", "\u00a0\u00ad\u200b\u2028",
    "\ue000", "\U000e0001", "",
]


@pytest.fixture(scope="module")
def testpb(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    out = tmp_path_factory.mktemp("testpb")
    result = run_protoc(
        [f"--descriptor_set_in={validate_set(out)}", f"-I{TESTPB}", f"--python_out={out}",
         "violations.proto"]
    )
    assert result.returncode == 0, result.stderr
    sys.path.insert(0, str(out))
    try:
        return importlib.import_module("violations_pb2")
    finally:
        sys.path.remove(str(out))


def _summary(message: Any) -> str:
    found = validation.violations(message)
    return validation.summary(message, found) if found else ""


def _cases(testpb: ModuleType) -> list[dict[str, str]]:
    cases = [{"name": "empty order", "summary": _summary(testpb.Order())}]
    every = testpb.Order(note="n", code="abc", main=testpb.Item())
    every.items.add(sku="ok")
    every.items.add()
    every.by_name["it's"].CopyFrom(testpb.Item())
    every.by_id[-5].CopyFrom(testpb.Item())
    every.by_flag[True].CopyFrom(testpb.Item())
    every.by_number[7].CopyFrom(testpb.Item())
    cases.append({"name": "every shape", "summary": _summary(every)})
    # One invalid item under each map key: the key as Python's repr prints it.
    for key in KEYS:
        order = testpb.Order(note="n")
        order.by_name[key].CopyFrom(testpb.Item())
        cases.append({"name": "key " + repr(key), "key": key, "summary": _summary(order)})
    return cases


def test_violation_texts_are_the_shared_ones(testpb: ModuleType) -> None:
    cases = _cases(testpb)
    if os.environ.get("UPDATE_GOLDEN"):
        SHARED.write_text(json.dumps(cases, indent=1) + "\n")
    assert cases == json.loads(SHARED.read_text())


def test_a_rule_on_the_whole_message_reads_without_a_field_path(testpb: ModuleType) -> None:
    assert validation.violations(testpb.Order()) == [
        "an order needs a note or items [order.note_or_items]"
    ]

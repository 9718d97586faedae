"""`nexus-contract breaking`: what a contract change breaks for Nexus callers.

`buf breaking` sees messages and RPC signatures; Nexus callers depend on more:
the wire names of services and operations, which services are Nexus services
at all, the payload types (`Empty` travels as no payload), the validation rules
requests must keep, the default endpoint. Both contracts are read by the
plugin's own resolver, with the same parameters as generation, so the check
sees the contract the teams generate.

    nexus-contract breaking INPUT --against AGAINST [--error-format text|json]
        [--warnings-as-errors] [--parameter PLUGIN_PARAMETERS]

INPUT and AGAINST are descriptor sets (`protoc --descriptor_set_out
--include_imports --include_source_info`) or buf images (`buf build -o`), which
share that encoding. Exit status: 0 when nothing breaks, 100 when something
does, 2 for input that cannot be read. Warnings (new validation rules, a
changed default endpoint) are reported without failing unless asked to.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from google.protobuf import descriptor_pb2
from google.protobuf.compiler import plugin_pb2
from google.protobuf.message import DecodeError

from protoc_gen_nexus_python import model
from protoc_gen_nexus_python.errors import GenerationError
from protoc_gen_nexus_python.parameters import parse_parameters
from protoc_gen_nexus_python.resolve import resolve
from protoc_gen_nexus_python.resolve.descriptors import MessageIndex

BREAKING = 100
UNREADABLE = 2

# Files that only declare options: never contracts of their own.
_OPTION_PACKAGES = ("google.protobuf", "nexusannotations.v1", "nexusproto.v1", "buf.validate")


@dataclass(frozen=True)
class Finding:
    rule: str
    message: str
    location: str
    warning: bool = False

    def text(self) -> str:
        kind = "warning: " if self.warning else ""
        return f"{self.location}: {kind}{self.rule}: {self.message}"


class UnreadableInput(Exception):
    pass


@dataclass(frozen=True)
class Contract:
    files: list[model.File]
    messages: dict[str, descriptor_pb2.DescriptorProto]

    def services(self) -> dict[str, model.Service]:
        return {service.name: service for file in self.files for service in file.services}


def load(path: Path, parameter: str) -> Contract:
    """The Nexus contract in a descriptor set or buf image, as generation resolves it."""
    try:
        files = descriptor_pb2.FileDescriptorSet.FromString(path.read_bytes()).file
    except (OSError, ValueError, DecodeError) as error:
        raise UnreadableInput(
            f"{path}: not a readable descriptor set or buf image ({error})"
        ) from None
    if not files:
        raise UnreadableInput(f"{path}: holds no .proto files")
    request = plugin_pb2.CodeGeneratorRequest(parameter=parameter)
    request.proto_file.extend(files)
    request.file_to_generate.extend(
        file.name for file in files if not file.package.startswith(_OPTION_PACKAGES)
    )
    try:
        parameters = parse_parameters(parameter)
        resolved = resolve(request, parameters)
    except GenerationError as error:
        raise UnreadableInput(f"{path}: the contract does not generate: {error}") from None
    index = MessageIndex(list(files), parameters)
    messages = {name.lstrip("."): message for name, (_, _, message) in index.entries.items()}
    return Contract(resolved, messages)


def breaking(current: Contract, previous: Contract) -> list[Finding]:
    """What `current` breaks for callers written against `previous`."""
    findings: list[Finding] = []
    now = current.services()
    for name, before in previous.services().items():
        after = now.get(name)
        if after is None:
            findings.append(
                Finding(
                    "NEXUS_SERVICE_NO_DELETE",
                    f"Nexus service {name!r} is gone (deleted, renamed on the wire, or no "
                    "longer selected as a Nexus service); callers of it get NOT_FOUND. Keep "
                    "the wire name with (nexusannotations.v1.service).name when renaming",
                    str(before.location),
                )
            )
            continue
        findings.extend(_service_changes(current, previous, before, after))
    return findings


def _service_changes(
    current: Contract, previous: Contract, before: model.Service, after: model.Service
) -> Iterator[Finding]:
    if before.default_endpoint and before.default_endpoint != after.default_endpoint:
        yield Finding(
            "NEXUS_DEFAULT_ENDPOINT_SAME",
            f"service {after.name!r}: the default endpoint changed from "
            f"{before.default_endpoint!r} to {after.default_endpoint or 'none'!r}; callers "
            "generated from either version call different endpoints",
            str(after.location),
            warning=True,
        )
    operations = {operation.name: operation for operation in after.operations}
    for old in before.operations:
        new = operations.get(old.name)
        where = f"operation {old.name!r} of service {after.name!r}"
        if new is None:
            yield Finding(
                "NEXUS_OPERATION_NO_DELETE",
                f"{where} is gone; callers of it get NOT_FOUND. Add the new operation "
                "beside it and remove the old one once no caller uses it, or keep the "
                "wire name with (nexusannotations.v1.operation).name when renaming",
                str(after.location),
            )
            continue
        for rule, side, was, now in (
            ("NEXUS_OPERATION_SAME_INPUT", "input", old.input, new.input),
            ("NEXUS_OPERATION_SAME_OUTPUT", "output", old.output, new.output),
        ):
            if was.full_name != now.full_name:
                yield Finding(
                    rule,
                    f"{where}: the {side} changed from {was.full_name} to {now.full_name}; "
                    "payloads of one are not the other's. Add a new operation instead",
                    str(new.location),
                )
        if old.input.full_name == new.input.full_name:
            tightened = _new_rules(current, previous, new.input.full_name)
            if tightened:
                yield Finding(
                    "NEXUS_VALIDATION_NO_NEW_RULES",
                    f"{where}: buf.validate rules were added or changed on "
                    f"{', '.join(tightened)}; requests older callers send may now be "
                    "refused with BAD_REQUEST",
                    str(new.location),
                    warning=True,
                )


def _new_rules(current: Contract, previous: Contract, root: str) -> list[str]:
    """Fields and messages reachable from `root` whose options (where buf.validate
    rules live) are new or different in `current`."""
    changed: list[str] = []
    seen: set[str] = set()
    pending = [(root, root)]
    while pending:
        name, path = pending.pop()
        if name in seen or name not in current.messages:
            continue
        seen.add(name)
        now, was = current.messages[name], previous.messages.get(name)
        if now.options.ByteSize() and (was is None or was.options != now.options):
            changed.append(path)
        old_fields = {field.name: field for field in was.field} if was is not None else {}
        for field in now.field:
            old = old_fields.get(field.name)
            field_path = f"{path}.{field.name}"
            if field.options.ByteSize() and (old is None or old.options != field.options):
                changed.append(field_path)
            if field.type == field.TYPE_MESSAGE:
                pending.append((field.type_name.lstrip("."), field_path))
    return sorted(changed)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="nexus-contract")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("breaking", help="what a contract change breaks for callers")
    check.add_argument("input", type=Path)
    check.add_argument("--against", type=Path, required=True)
    check.add_argument("--error-format", choices=("text", "json"), default="text")
    check.add_argument("--warnings-as-errors", action="store_true")
    check.add_argument(
        "--parameter", default="", help="the plugin parameters generation uses (tag filters...)"
    )
    options = parser.parse_args(argv)
    try:
        findings = breaking(
            load(options.input, options.parameter), load(options.against, options.parameter)
        )
    except UnreadableInput as error:
        print(f"nexus-contract: {error}", file=sys.stderr)
        return UNREADABLE
    for finding in findings:
        if options.error_format == "json":
            print(json.dumps(asdict(finding)))
        else:
            print(finding.text())
    failing = [f for f in findings if options.warnings_as_errors or not f.warning]
    return BREAKING if failing else 0


def console() -> None:
    sys.exit(main())


if __name__ == "__main__":
    console()

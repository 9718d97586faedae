"""`nexus-contract breaking`: what a contract change breaks for Nexus callers.

`buf breaking` sees messages and RPC signatures; Nexus callers depend on more:
the wire names of services and operations, which services are Nexus services
at all, the payload types (`Empty` travels as no payload), whether an operation
answers within its start or later (a synchronous update made asynchronous), the
validation rules requests must keep, the default endpoint. Both contracts are read by the
plugin's own resolver, with the same parameters as generation, so the check
sees the contract the teams generate.

    nexus-contract breaking INPUT --against AGAINST
        [--error-format text|json|github-actions] [--warnings-as-errors]
        [--no-warn-validation] [--parameter PLUGIN_PARAMETERS] [-I DIR ...]

INPUT and AGAINST are read as `buf breaking` reads its inputs (see `inputs`):
a descriptor set or buf image file, a directory of .proto files, or a git
reference such as `.git#ref=HEAD~1,subdir=proto`. Exit status: 0 when nothing
breaks, 100 when something does, 2 for input that cannot be read. Warnings (new
validation rules, a changed default endpoint) are reported without failing
unless asked to.
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
from google.protobuf.message import Message

from protoc_gen_nexus import model
from protoc_gen_nexus.errors import GenerationError, Location
from protoc_gen_nexus.inputs import Input, UnreadableInput, read_input
from protoc_gen_nexus.options import VALIDATE_FIELD, VALIDATE_MESSAGE, OptionReader
from protoc_gen_nexus.parameters import parse_parameters
from protoc_gen_nexus.resolve import resolve
from protoc_gen_nexus.resolve.descriptors import MessageIndex

BREAKING = 100
UNREADABLE = 2

VALIDATION_RULE = "NEXUS_VALIDATION_NO_NEW_RULES"

# Files that only declare options: never contracts of their own.
_OPTION_PACKAGES = ("google.protobuf", "nexusannotations.v1", "nexusproto.v1", "buf.validate")


@dataclass(frozen=True)
class Finding:
    rule: str
    message: str
    location: Location
    warning: bool = False

    def text(self) -> str:
        kind = "warning: " if self.warning else ""
        return f"{self.location}: {kind}{self.rule}: {self.message}"

    def json(self) -> str:
        fields = asdict(self)
        fields["location"] = {k: v for k, v in fields["location"].items() if v}
        return json.dumps(fields)

    def github_actions(self) -> str:
        """A workflow command, which GitHub shows as an annotation on the line."""
        place = [f"file={_github_escape(self.location.file, property=True)}"]
        if self.location.line:
            place += [f"line={self.location.line}", f"col={self.location.column}"]
        place.append(f"title={self.rule}")
        level = "warning" if self.warning else "error"
        return f"::{level} {','.join(place)}::{_github_escape(self.message)}"


def _github_escape(text: str, *, property: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


FORMATS = {"text": Finding.text, "json": Finding.json, "github-actions": Finding.github_actions}


@dataclass(frozen=True)
class Contract:
    files: list[model.File]
    messages: dict[str, descriptor_pb2.DescriptorProto]
    source: Input
    options: OptionReader

    def rules(self, options: Message, extension: str) -> bytes:
        """The buf.validate rules (`extension`) set in an element's options, encoded
        for comparison across contracts; empty when there are none."""
        found = self.options.get(options, extension)
        return found.SerializeToString(deterministic=True) if found is not None else b""

    def services(self) -> dict[str, model.Service]:
        return {service.name: service for file in self.files for service in file.services}

    def at(self, location: Location) -> Location:
        """`location` as a path the user can open: under the input's directory."""
        return Location(self.source.prefix + location.file, location.line, location.column)


def load(source: Input, parameter: str) -> Contract:
    """The Nexus contract of an input, as generation resolves it."""
    files = source.files
    request = plugin_pb2.CodeGeneratorRequest(parameter=parameter)
    request.proto_file.extend(files)
    request.file_to_generate.extend(
        file.name for file in files if not file.package.startswith(_OPTION_PACKAGES)
    )
    try:
        parameters = parse_parameters(parameter)
        resolved = resolve(request, parameters)
    except GenerationError as error:
        raise UnreadableInput(f"{source.name}: the contract does not generate: {error}") from None
    index = MessageIndex(list(files))
    messages = {name.lstrip("."): message for name, (_, _, message) in index.entries.items()}
    return Contract(resolved, messages, source, OptionReader(list(files)))


def breaking(current: Contract, previous: Contract) -> list[Finding]:
    """What `current` breaks for callers written against `previous`.

    A finding about something gone points into `previous`, where it was.
    """
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
                    previous.at(before.location),
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
            current.at(after.location),
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
                previous.at(old.location),
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
                    current.at(new.location),
                )
        if new.outlives_request and not old.outlives_request:
            yield Finding(
                "NEXUS_OPERATION_SAME_COMPLETION",
                f"{where}: {_completion_change(old, new)}; its result now arrives after the "
                "start answered, through Temporal's completion callback. Callers must "
                "change: their schedule-to-close timeouts must cover the whole operation, "
                "and a caller that cannot take an asynchronous answer (a plain Nexus HTTP "
                "client waiting for the result) gets an operation token instead. Add a new "
                "operation instead",
                current.at(new.location),
            )
        if old.input.full_name == new.input.full_name:
            tightened = _new_rules(current, previous, new.input.full_name)
            if tightened:
                yield Finding(
                    VALIDATION_RULE,
                    f"{where}: buf.validate rules were added or changed on "
                    f"{', '.join(tightened)}; requests older callers send may now be "
                    "refused with BAD_REQUEST",
                    current.at(new.location),
                    warning=True,
                )


_KIND_WORDS = {
    "sync": "a synchronous operation",
    "update": "a synchronous update",
    "signal": "a signal",
    "query": "a query",
    "workflow_run": "a workflow-run operation",
    "async_update": "an asynchronous update",
    "activity": "an activity-backed operation",
}


def _completion_change(old: model.Operation, new: model.Operation) -> str:
    return f"changed from {_KIND_WORDS[old.kind]} to {_KIND_WORDS[new.kind]}"


def _new_rules(current: Contract, previous: Contract, root: str) -> list[str]:
    """Fields and messages reachable from `root` whose buf.validate rules are new or
    different in `current` (other options, as `deprecated`, are no rules)."""
    changed: list[str] = []
    seen: set[str] = set()
    pending = [(root, root)]
    while pending:
        name, path = pending.pop()
        if name in seen or name not in current.messages:
            continue
        seen.add(name)
        now, was = current.messages[name], previous.messages.get(name)
        if _tightened(current, previous, now, was, VALIDATE_MESSAGE):
            changed.append(path)
        old_fields = {field.name: field for field in was.field} if was is not None else {}
        for field in now.field:
            field_path = f"{path}.{field.name}"
            if _tightened(current, previous, field, old_fields.get(field.name), VALIDATE_FIELD):
                changed.append(field_path)
            if field.type == field.TYPE_MESSAGE:
                pending.append((field.type_name.lstrip("."), field_path))
    return sorted(changed)


def _tightened(
    current: Contract,
    previous: Contract,
    now: descriptor_pb2.DescriptorProto | descriptor_pb2.FieldDescriptorProto,
    was: descriptor_pb2.DescriptorProto | descriptor_pb2.FieldDescriptorProto | None,
    extension: str,
) -> bool:
    """Whether `now` has rules that `was` (its previous version, if any) had not."""
    if not now.HasField("options"):
        return False
    rules = current.rules(now.options, extension)
    before = previous.rules(was.options, extension) if was is not None else b""
    return bool(rules) and rules != before


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="nexus-contract", description="Checks a Nexus contract change for callers."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser(
        "breaking",
        help="what a contract change breaks for callers",
        description="Reports what INPUT breaks for callers built from AGAINST. Inputs: a "
        "descriptor set or buf image, a directory of .proto files, or a git reference "
        "(.git#ref=HEAD~1,subdir=proto). Exit status 0: nothing breaks; 100: something "
        "does; 2: an input cannot be read.",
    )
    check.add_argument("input")
    check.add_argument("--against", required=True)
    check.add_argument("--error-format", choices=list(FORMATS), default="text")
    check.add_argument("--warnings-as-errors", action="store_true", help="fail on warnings too")
    check.add_argument(
        "--no-warn-validation",
        action="store_true",
        help=f"do not report {VALIDATION_RULE} (new or tightened buf.validate rules)",
    )
    check.add_argument(
        "--parameter", default="", help="the plugin parameters generation uses (tag filters...)"
    )
    build = commands.add_parser(
        "build",
        help="write an input as a buf image",
        description="Writes INPUT (a directory or git reference, compiled as `breaking` "
        "compiles it) as a descriptor set with imports and source info: an image "
        "`buf breaking` and `buf generate` read, built without network.",
    )
    build.add_argument("input")
    build.add_argument("-o", "--output", type=Path, required=True)
    for command in (check, build):
        command.add_argument(
            "-I",
            "--include",
            action="append",
            type=Path,
            default=[],
            metavar="DIR",
            help="where imports of directory and git inputs are found, besides the input",
        )
    options = parser.parse_args(argv)
    if options.command == "build":
        return _build(options.input, options.include, options.output)
    try:
        findings = breaking(
            load(read_input(options.input, options.include), options.parameter),
            load(read_input(options.against, options.include), options.parameter),
        )
    except UnreadableInput as error:
        print(f"nexus-contract: {error}", file=sys.stderr)
        return UNREADABLE
    if options.no_warn_validation:
        findings = [f for f in findings if f.rule != VALIDATION_RULE]
    show = FORMATS[options.error_format]
    for finding in findings:
        print(show(finding))
    failing = [f for f in findings if options.warnings_as_errors or not f.warning]
    return BREAKING if failing else 0


def _build(spec: str, includes: list[Path], output: Path) -> int:
    try:
        files = read_input(spec, includes).files
    except UnreadableInput as error:
        print(f"nexus-contract: {error}", file=sys.stderr)
        return UNREADABLE
    output.parent.mkdir(parents=True, exist_ok=True)
    image = descriptor_pb2.FileDescriptorSet(file=files)
    output.write_bytes(image.SerializeToString(deterministic=True))
    return 0


def console() -> None:
    sys.exit(main())


if __name__ == "__main__":
    console()

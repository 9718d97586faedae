"""Turns a CodeGeneratorRequest into the language-neutral model of the contract.

Every problem a proto author can cause in the contract itself is raised here as
a GenerationError with a location, whatever language is generated; what only
one language cannot express is its naming pass's to report. One module per
concern:

- `descriptors`: the request indexed (messages by full name, source locations);
- `selection`: which services are Nexus services, and the tag filters;
- `services`: one service and its operations into the model, with their options;
- `workflow_run`: the workflow-run binding (ID template, policies);
- `entities`: updates, signals and queries of long-lived workflows;
- `validation`: which messages carry buf.validate rules.
"""

from google.protobuf.compiler import plugin_pb2

from protoc_gen_nexus import model
from protoc_gen_nexus.options import OptionReader
from protoc_gen_nexus.parameters import Selection
from protoc_gen_nexus.resolve.descriptors import MessageIndex, SourceInfo
from protoc_gen_nexus.resolve.services import Context, resolve_services
from protoc_gen_nexus.resolve.validation import RuleDetector

__all__ = ["resolve"]


def resolve(request: plugin_pb2.CodeGeneratorRequest, selection: Selection) -> list[model.File]:
    """The contract of every file protoc asked for that holds at least one Nexus service."""
    files = list(request.proto_file)
    options = OptionReader(files)
    messages = MessageIndex(files)
    has_rules = RuleDetector(messages.entries, options)
    by_name = {file.name: file for file in files}
    resolved = []
    for name in request.file_to_generate:
        file = by_name[name]
        if not file.service:
            continue  # messages only: nothing to generate, no locations to index
        context = Context(options, messages, has_rules, selection, file, SourceInfo(file))
        services = resolve_services(context)
        if services:
            resolved.append(model.File(file.name, file.package, services))
    return resolved

"""Turns a CodeGeneratorRequest into the model, deciding every name and option.

Every problem a proto author can cause is raised here as a GenerationError
with a location, so the generators only ever see a valid model. One module
per concern:

- `descriptors`: the request indexed (messages by full name, source locations);
- `selection`: which services are Nexus services, and the tag filters;
- `services`: one service and its operations into the model, with their options;
- `workflow_run`: the workflow-run binding (ID template, policies);
- `entities`: updates, signals and queries of long-lived workflows, and the
  contracts of every workflow the file's operations reach;
- `validation`: which messages carry buf.validate rules;
- `names`: every generated name checked in each scope it shares.
"""

from google.protobuf.compiler import plugin_pb2

from protoc_gen_nexus_python import model, naming
from protoc_gen_nexus_python.options import OptionReader
from protoc_gen_nexus_python.parameters import Parameters
from protoc_gen_nexus_python.resolve import entities, names
from protoc_gen_nexus_python.resolve.descriptors import MessageIndex, SourceInfo
from protoc_gen_nexus_python.resolve.services import Context, resolve_services
from protoc_gen_nexus_python.resolve.validation import RuleDetector

__all__ = ["resolve"]


def resolve(request: plugin_pb2.CodeGeneratorRequest, parameters: Parameters) -> list[model.File]:
    """The model of every file protoc asked for that holds at least one Nexus service."""
    files = list(request.proto_file)
    options = OptionReader(files)
    messages = MessageIndex(files, parameters)
    has_rules = RuleDetector(messages.entries, options)
    by_name = {file.name: file for file in files}
    resolved = []
    for name in request.file_to_generate:
        file = by_name[name]
        if not file.service:
            continue  # messages only: nothing to generate, no locations to index
        context = Context(options, messages, has_rules, parameters, file, SourceInfo(file))
        services = resolve_services(context)
        if services:
            contracts = entities.workflow_contracts(services, names.module_names(services))
            resolved.append(
                model.File(
                    proto_path=file.name,
                    output_path=naming.nexus_output_path(file.name),
                    python_module=naming.nexus_module(
                        parameters.python_module(naming.pb2_module(file.name))
                    ),
                    testing_output_path=naming.testing_output_path(file.name),
                    services=services,
                    workflow_contracts=contracts,
                )
            )
    return resolved

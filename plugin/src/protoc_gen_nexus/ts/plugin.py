"""CodeGeneratorRequest in, CodeGeneratorResponse out; errors are returned, never raised."""

from google.protobuf.compiler import plugin_pb2

from protoc_gen_nexus.protocol import GeneratedFiles, respond
from protoc_gen_nexus.ts.generator import generate_files
from protoc_gen_nexus.ts.parameters import parse_parameters
from protoc_gen_nexus.ts.resolve import resolve

PROGRAM = "protoc-gen-nexus-ts"


def run(request: plugin_pb2.CodeGeneratorRequest) -> plugin_pb2.CodeGeneratorResponse:
    return respond(PROGRAM, lambda: _files(request))


def _files(request: plugin_pb2.CodeGeneratorRequest) -> GeneratedFiles:
    parameters = parse_parameters(request.parameter)
    for file in resolve(request, parameters):
        yield from generate_files(file)

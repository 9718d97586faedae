"""CodeGeneratorRequest in, CodeGeneratorResponse out; errors are returned, never raised."""

from google.protobuf.compiler import plugin_pb2

from protoc_gen_nexus.java.generator import generate_file
from protoc_gen_nexus.java.parameters import parse_parameters
from protoc_gen_nexus.java.resolve import resolve
from protoc_gen_nexus.protocol import GeneratedFiles, respond

PROGRAM = "protoc-gen-nexus-java"


def run(request: plugin_pb2.CodeGeneratorRequest) -> plugin_pb2.CodeGeneratorResponse:
    return respond(PROGRAM, lambda: _files(request))


def _files(request: plugin_pb2.CodeGeneratorRequest) -> GeneratedFiles:
    parameters = parse_parameters(request.parameter)
    for file in resolve(request, parameters):
        yield from generate_file(file)

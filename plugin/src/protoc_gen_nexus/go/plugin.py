"""CodeGeneratorRequest in, CodeGeneratorResponse out; errors are returned, never raised."""

from google.protobuf.compiler import plugin_pb2

from protoc_gen_nexus.go.generator import generate_file
from protoc_gen_nexus.go.parameters import parse_parameters
from protoc_gen_nexus.go.resolve import resolve
from protoc_gen_nexus.protocol import GeneratedFiles, respond

PROGRAM = "protoc-gen-nexus-go"


def run(request: plugin_pb2.CodeGeneratorRequest) -> plugin_pb2.CodeGeneratorResponse:
    return respond(PROGRAM, lambda: _files(request))


def _files(request: plugin_pb2.CodeGeneratorRequest) -> GeneratedFiles:
    parameters = parse_parameters(request.parameter)
    for file in resolve(request, parameters):
        yield file.output_path, generate_file(file)

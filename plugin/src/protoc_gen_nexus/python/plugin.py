"""CodeGeneratorRequest in, CodeGeneratorResponse out; errors are returned, never raised."""

from google.protobuf.compiler import plugin_pb2

from protoc_gen_nexus.parameters import parse_parameters
from protoc_gen_nexus.protocol import GeneratedFiles, respond
from protoc_gen_nexus.python.generators import generate_file
from protoc_gen_nexus.python.generators.testing import generate_testing_file
from protoc_gen_nexus.python.resolve import resolve


def run(request: plugin_pb2.CodeGeneratorRequest) -> plugin_pb2.CodeGeneratorResponse:
    return respond("protoc-gen-nexus-python", lambda: _modules(request))


def _modules(request: plugin_pb2.CodeGeneratorRequest) -> GeneratedFiles:
    parameters = parse_parameters(request.parameter)
    for file in resolve(request, parameters):
        yield file.output_path, generate_file(file)
        yield file.testing_output_path, generate_testing_file(file)

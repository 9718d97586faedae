"""CodeGeneratorRequest in, the catalogue's pages out; errors are returned, never raised."""

from google.protobuf.compiler import plugin_pb2

from protoc_gen_nexus.docs.catalogue import INDEX, build_catalogue
from protoc_gen_nexus.docs.pages import file_page, index_page
from protoc_gen_nexus.parameters import parse_parameters
from protoc_gen_nexus.protocol import GeneratedFiles, respond
from protoc_gen_nexus.resolve import resolve

PROGRAM = "protoc-gen-nexus-docs"


def run(request: plugin_pb2.CodeGeneratorRequest) -> plugin_pb2.CodeGeneratorResponse:
    return respond(PROGRAM, lambda: _pages(request))


def _pages(request: plugin_pb2.CodeGeneratorRequest) -> GeneratedFiles:
    # The generator's own parameters and selection: the catalogue shows what teams generate.
    parameters = parse_parameters(request.parameter)
    catalogue = build_catalogue(request, resolve(request, parameters))
    yield INDEX, index_page(catalogue)
    for page in catalogue.pages:
        yield page.path, file_page(catalogue, page)

/**
 * `@nexusproto/runtime`: what the TypeScript code that protoc-gen-nexus-ts generates
 * needs at run time, shared instead of pasted into every generated file.
 *
 * This entry point is safe in the workflow bundle: payload conversion, validation and
 * the calls from workflow code. Handlers live in `@nexusproto/runtime/handler`
 * (worker only), the standalone client in `@nexusproto/runtime/client`.
 */
export {
  BINARY_PROTOBUF,
  JSON_PROTOBUF,
  ProtobufEsBinaryPayloadConverter,
  ProtobufEsJsonPayloadConverter,
  protobufPayloadConverter,
  type MessageTypes,
  type ProtobufPayloadConverterOptions,
} from './payload-converter';
export { pythonRepr, summary, violations } from './validation';
export { InvalidRequestError, checkedRequest, type OperationContract, type ServiceContract } from './contract';
export { WorkflowNexusClient, type WorkflowCallOptions } from './workflow-client';

// The payload converter the TypeScript team configures (worker and client):
// the SDK's default chain plus protobuf messages of the contract, JSON first
// (json/protobuf), as the Python and Go SDKs' default converters do.
import { DefaultPayloadConverterWithProtobufs } from '@temporalio/common/lib/protobufs';
import { protobufRoot } from './protos';

export const payloadConverter = new DefaultPayloadConverterWithProtobufs({ protobufRoot });

// A converter that sends protobuf messages as binary/protobuf instead (what a
// team that prefers compact payloads would configure): the Python handler must
// read those too.
import {
  BinaryPayloadConverter,
  CompositePayloadConverter,
  JsonPayloadConverter,
  UndefinedPayloadConverter,
} from '@temporalio/common';
import { ProtobufBinaryPayloadConverter, ProtobufJsonPayloadConverter } from '@temporalio/common/lib/protobufs';
import { protobufRoot } from './protos';

export const payloadConverter = new CompositePayloadConverter(
  new UndefinedPayloadConverter(),
  new BinaryPayloadConverter(),
  new ProtobufBinaryPayloadConverter(protobufRoot),
  new ProtobufJsonPayloadConverter(protobufRoot),
  new JsonPayloadConverter(),
);

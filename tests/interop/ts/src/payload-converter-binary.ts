// A converter that sends protobuf messages as binary/protobuf instead (what a team that
// prefers compact payloads configures): the Python handler must read those too.
import { protobufPayloadConverter } from '@nexusproto/runtime';
import { messageTypes } from './gen/payments/v1/payments_nexus';

export const payloadConverter = protobufPayloadConverter(messageTypes, { binary: true });

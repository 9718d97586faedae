// Checks the TypeScript payload converter against the shared wire vectors
// (tests/interop/vectors/*.json, written by tests/interop/make_vectors.py from
// the Python SDK's default converter; format 1):
//
//   {"format": 1, "message_type": "payments.v1.X", "note": "...",
//    "proto_json": {...canonical proto JSON of the example...},
//    "payloads": {"json/protobuf":   {"metadata": {...}, "data": "...", "data_base64": "..."},
//                 "binary/protobuf": {"metadata": {...}, "data_base64": "..."}}}
//
// For each vector, the message is built from `proto_json` with protobufjs, then
//   - the default converter (DefaultPayloadConverterWithProtobufs) must choose
//     json/protobuf, with the vector's metadata (encoding, messageType), and data
//     that parses to the same JSON value as the vector's, every key lowerCamelCase;
//   - the binary converter must give the vector's metadata and exactly its bytes;
//   - both vector payloads must decode (fromPayload) to the same message;
//   - the json/protobuf payload with a field added that the message does not
//     have (as a peer on a newer contract sends) must decode to it as well.
// Byte-identical JSON is reported, not required (key order and escaping differ
// between SDKs; the JSON value is what counts).
//
//   node build/vectors.js VECTORS_DIR     prints a JSON report; exit 1 on any failure
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { Payload } from '@temporalio/common';
import { ProtobufBinaryPayloadConverter, ProtobufJsonPayloadConverter } from '@temporalio/common/lib/protobufs';
import * as protojson from 'protobufjs/ext/protojson';
import type { Message, Root, Type } from 'protobufjs';
import { payloadConverter } from './payload-converter';
import { protobufRoot } from './protos';

const FORMAT = 1;
const LOWER_CAMEL = /^[a-z][A-Za-z0-9]*$/;
const UNKNOWN_FIELD = 'fieldOfANewerContract';

interface VectorPayload {
  metadata: Record<string, string>;
  data?: string;
  data_base64: string;
}

interface Vector {
  format: number;
  message_type: string;
  note?: string;
  proto_json: unknown;
  payloads: Record<string, VectorPayload>;
}

interface VectorReport {
  file: string;
  messageType: string;
  tsJson?: string;
  jsonBytesIdentical?: boolean;
  binaryBytesIdentical?: boolean;
  unknownJsonFieldIgnored?: boolean;
  failures: string[];
}

function metadataText(payload: Payload | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(payload?.metadata ?? {})) {
    if (value) out[key] = Buffer.from(value).toString('utf8');
  }
  return out;
}

function toPayload(vectorPayload: VectorPayload): Payload {
  const metadata: Record<string, Uint8Array> = {};
  for (const [key, value] of Object.entries(vectorPayload.metadata)) metadata[key] = Buffer.from(value, 'utf8');
  return { metadata, data: new Uint8Array(Buffer.from(vectorPayload.data_base64, 'base64')) };
}

/** Object keys (at any depth) that are not lowerCamelCase, as paths. */
function badKeys(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => badKeys(item, `${path}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) => [
    ...(LOWER_CAMEL.test(key) ? [] : [`${path}${path ? '.' : ''}${key}`]),
    ...badKeys(child, `${path}${path ? '.' : ''}${key}`),
  ]);
}

function bytesOf(payload: Payload | undefined): Buffer {
  return Buffer.from(payload?.data ?? new Uint8Array());
}

function checkVector(file: string, vector: Vector, root: Root): VectorReport {
  const report: VectorReport = { file, messageType: vector.message_type, failures: [] };
  const fail = (text: string) => report.failures.push(`${file}: ${text}`);
  if (vector.format !== FORMAT) {
    fail(`unknown vector format ${vector.format} (this check reads format ${FORMAT})`);
    return report;
  }
  let type: Type;
  try {
    type = root.lookupType(vector.message_type);
  } catch (err) {
    fail(`message type not in the TS root: ${String(err)}`);
    return report;
  }
  const message = protojson.fromJson(type, vector.proto_json) as Message;
  const expectedBinary = Buffer.from(type.encode(message).finish());

  // json/protobuf, through the converter chain the TS team configures.
  const jsonVector = vector.payloads['json/protobuf'];
  const jsonPayload = payloadConverter.toPayload(message);
  const jsonMetadata = metadataText(jsonPayload);
  if (!isDeepStrictEqual(jsonMetadata, jsonVector.metadata)) {
    fail(`json/protobuf metadata ${JSON.stringify(jsonMetadata)} != vector ${JSON.stringify(jsonVector.metadata)}`);
  }
  const tsJson = bytesOf(jsonPayload).toString('utf8');
  const vectorJson = Buffer.from(jsonVector.data_base64, 'base64').toString('utf8');
  report.tsJson = tsJson;
  report.jsonBytesIdentical = tsJson === vectorJson;
  const tsValue = JSON.parse(tsJson);
  if (!isDeepStrictEqual(tsValue, JSON.parse(vectorJson))) {
    fail(`json/protobuf data ${tsJson} is not the same JSON value as the vector's ${vectorJson}`);
  }
  if (!isDeepStrictEqual(tsValue, vector.proto_json)) {
    fail(`json/protobuf data ${tsJson} differs from proto_json ${JSON.stringify(vector.proto_json)}`);
  }
  const notCamel = badKeys(tsValue);
  if (notCamel.length) fail(`json/protobuf keys not lowerCamelCase: ${notCamel.join(', ')}`);

  // binary/protobuf: byte for byte.
  const binaryVector = vector.payloads['binary/protobuf'];
  const binaryPayload = new ProtobufBinaryPayloadConverter(protobufRoot).toPayload(message);
  const binaryMetadata = metadataText(binaryPayload);
  if (!isDeepStrictEqual(binaryMetadata, binaryVector.metadata)) {
    fail(`binary/protobuf metadata ${JSON.stringify(binaryMetadata)} != vector ${JSON.stringify(binaryVector.metadata)}`);
  }
  const tsBinary = bytesOf(binaryPayload);
  report.binaryBytesIdentical = tsBinary.equals(Buffer.from(binaryVector.data_base64, 'base64'));
  if (!report.binaryBytesIdentical) {
    fail(`binary/protobuf data ${tsBinary.toString('base64')} != vector ${binaryVector.data_base64}`);
  }

  // Reading the Python payloads back: the default chain dispatches on encoding.
  for (const [encoding, vectorPayload] of Object.entries(vector.payloads)) {
    try {
      const decoded = payloadConverter.fromPayload<Message>(toPayload(vectorPayload));
      const decodedType = (decoded as unknown as { $type?: Type }).$type;
      if (decodedType?.fullName !== `.${vector.message_type}`) {
        fail(`${encoding}: decoded as ${decodedType?.fullName ?? typeof decoded}, not ${vector.message_type}`);
        continue;
      }
      const again = Buffer.from(type.encode(decoded).finish());
      if (!again.equals(expectedBinary)) {
        fail(`${encoding}: decodes to a different message (${again.toString('base64')})`);
      }
    } catch (err) {
      fail(`${encoding}: cannot decode the vector payload: ${String(err)}`);
    }
  }

  // A field from a newer contract: the default chain reads past it.
  const withUnknown = { ...JSON.parse(vectorJson), [UNKNOWN_FIELD]: 'from a newer contract' };
  try {
    const decoded = payloadConverter.fromPayload<Message>(
      toPayload({ metadata: jsonVector.metadata, data_base64: Buffer.from(JSON.stringify(withUnknown)).toString('base64') }),
    );
    report.unknownJsonFieldIgnored = Buffer.from(type.encode(decoded).finish()).equals(expectedBinary);
    if (!report.unknownJsonFieldIgnored) fail(`json/protobuf with ${UNKNOWN_FIELD}: decodes to a different message`);
  } catch (err) {
    report.unknownJsonFieldIgnored = false;
    fail(`json/protobuf with ${UNKNOWN_FIELD}: cannot decode: ${String(err)}`);
  }

  // The single-encoding JSON converter agrees with the chain.
  const single = bytesOf(new ProtobufJsonPayloadConverter(protobufRoot).toPayload(message)).toString('utf8');
  if (single !== tsJson) fail(`ProtobufJsonPayloadConverter wrote ${single}, the default chain ${tsJson}`);
  return report;
}

function main(): void {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: node build/vectors.js VECTORS_DIR');
  const root = protobufRoot as unknown as Root;
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort();
  const vectors = files.map((file) =>
    checkVector(file, JSON.parse(readFileSync(join(dir, file), 'utf8')) as Vector, root),
  );
  const failures = vectors.flatMap((v) => v.failures);
  process.stdout.write(JSON.stringify({ checked: vectors.length, failures, vectors }, null, 2) + '\n');
  process.exitCode = failures.length ? 1 : 0;
}

main();

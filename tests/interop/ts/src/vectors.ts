// The runtime's payload converter, with the generated `messageTypes`, against the wire
// vectors the Python SDK wrote (tests/interop/vectors; format in ../README.md):
//
//   node build/vectors.js DIR
//
// prints, per vector, whether the TypeScript side writes the same metadata and
// binary/protobuf bytes, JSON with the same value (the bytes differ: Python sorts keys),
// reads both payloads back, and ignores a JSON field from a newer contract.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { equals, fromJson, type DescMessage, type JsonValue, type Message } from '@bufbuild/protobuf';
import { protobufPayloadConverter } from '@nexusproto/runtime';
import { messageTypes as payments } from './gen/payments/v1/payments_nexus';
import { messageTypes as orders } from './gen/orders/v1/orders_nexus';
import { EmptySchema } from '@bufbuild/protobuf/wkt';

const schemas: readonly DescMessage[] = [...payments, ...orders, EmptySchema];
const json = protobufPayloadConverter(schemas);
const binary = protobufPayloadConverter(schemas, { binary: true });
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('utf8');
const report: Record<string, unknown>[] = [];
for (const name of readdirSync(process.argv[2] ?? '.').filter((f) => f.endsWith('.json')).sort()) {
  const vector = JSON.parse(readFileSync(join(process.argv[2] ?? '.', name), 'utf8'));
  const schema = schemas.find((s) => s.typeName === vector.message_type);
  if (schema === undefined) throw new Error(`no schema for ${vector.message_type}`);
  const message = fromJson(schema, vector.proto_json as JsonValue);
  const viaJson = json.toPayload(message);
  const viaBinary = binary.toPayload(message);
  const wantJson = vector.payloads['json/protobuf'];
  const wantBinary = vector.payloads['binary/protobuf'];
  const wire = (p: { data_base64: string }) => Buffer.from(p.data_base64, 'base64');
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const sorted = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(sorted) : v && typeof v === 'object'
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, x]) => [k, sorted(x)]))
      : v;
  const withUnknown = { ...JSON.parse(wire(wantJson).toString('utf8')), fieldFromANewerContract: 'x' };
  const unknownPayload = { metadata: viaJson?.metadata ?? {}, data: Buffer.from(JSON.stringify(withUnknown)) };
  const decodedBinary = json.fromPayload<Message>(
    { metadata: viaBinary?.metadata ?? {}, data: wire(wantBinary) });
  report.push({
    file: name,
    jsonMetadata: { encoding: text(viaJson?.metadata?.['encoding']), messageType: text(viaJson?.metadata?.['messageType']) },
    binaryMetadata: { encoding: text(viaBinary?.metadata?.['encoding']), messageType: text(viaBinary?.metadata?.['messageType']) },
    jsonBytesIdentical: Buffer.compare(Buffer.from(viaJson?.data ?? []), wire(wantJson)) === 0,
    jsonValueIdentical: same(sorted(JSON.parse(text(viaJson?.data))), sorted(JSON.parse(wire(wantJson).toString('utf8')))),
    binaryBytesIdentical: Buffer.compare(Buffer.from(viaBinary?.data ?? []), wire(wantBinary)) === 0,
    jsonReadsBack: equals(schema, json.fromPayload<Message>({ metadata: viaJson?.metadata ?? {}, data: wire(wantJson) }), message),
    binaryReadsBack: equals(schema, decodedBinary, message),
    unknownJsonFieldIgnored: equals(schema, json.fromPayload<Message>(unknownPayload), message),
  });
}
process.stdout.write(JSON.stringify(report, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));

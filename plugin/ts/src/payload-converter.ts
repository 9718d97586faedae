/**
 * Payloads of protobuf-es messages (`@bufbuild/protobuf` v2), as the Python, Go and
 * Java SDKs write them: `json/protobuf` (the proto3 JSON mapping) or `binary/protobuf`,
 * with the message's full name in the `messageType` metadata.
 *
 * The Temporal TypeScript SDK's own protobuf converters understand protobufjs
 * reflection types only; a protobuf-es message is a plain object with a
 * `$typeName`, so these converters look its schema up in a registry that the
 * generated code builds from the contract's messages. Workflow-safe: no I/O, no
 * Node.js modules, so the same converter serves the worker, the client and the
 * workflow bundle.
 */
import {
  fromBinary,
  fromJsonString,
  isMessage,
  toBinary,
  toJsonString,
  type DescMessage,
  type Message,
  type Registry,
  createRegistry,
  type DescFile,
} from '@bufbuild/protobuf';
import {
  BinaryPayloadConverter,
  CompositePayloadConverter,
  JsonPayloadConverter,
  UndefinedPayloadConverter,
  ValueError,
  type Payload,
  type PayloadConverterWithEncoding,
} from '@temporalio/common';

export const JSON_PROTOBUF = 'json/protobuf';
export const BINARY_PROTOBUF = 'binary/protobuf';

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

function text(value: string): Uint8Array {
  return utf8Encoder.encode(value);
}

/** The schema of `value` when it is a protobuf-es message; undefined for anything else. */
function schemaOf(registry: Registry, value: unknown): DescMessage | undefined {
  if (!isMessage(value)) return undefined;
  const schema = registry.getMessage(value.$typeName);
  if (schema === undefined) {
    throw new ValueError(
      `protobuf message ${value.$typeName} is not in the payload converter's registry: ` +
        'build the converter from the generated contract that uses it',
    );
  }
  return schema;
}

function messageTypeOf(payload: Payload, registry: Registry, encoding: string): DescMessage {
  const raw = payload.metadata?.['messageType'];
  if (raw === undefined || raw === null) {
    throw new ValueError(`${encoding} payload without messageType metadata`);
  }
  const name = utf8Decoder.decode(raw);
  const schema = registry.getMessage(name);
  if (schema === undefined) {
    throw new ValueError(`${encoding} payload of message type ${name}, which this contract does not know`);
  }
  return schema;
}

abstract class ProtobufEsConverter implements PayloadConverterWithEncoding {
  abstract readonly encodingType: string;
  constructor(protected readonly registry: Registry) {}

  toPayload(value: unknown): Payload | undefined {
    const schema = schemaOf(this.registry, value);
    if (schema === undefined) return undefined;
    return {
      metadata: { encoding: text(this.encodingType), messageType: text(schema.typeName) },
      data: this.encode(schema, value as Message),
    };
  }

  fromPayload<T>(payload: Payload): T {
    const schema = messageTypeOf(payload, this.registry, this.encodingType);
    return this.decode(schema, payload.data ?? new Uint8Array()) as T;
  }

  protected abstract encode(schema: DescMessage, message: Message): Uint8Array;
  protected abstract decode(schema: DescMessage, data: Uint8Array): Message;
}

/**
 * `json/protobuf`: the proto3 JSON mapping (lowerCamelCase keys, 64-bit integers as
 * strings, enum values by name). Fields the contract does not know (a peer built
 * from a newer contract) are ignored, as `nexusproto.converter` does in Python.
 */
export class ProtobufEsJsonPayloadConverter extends ProtobufEsConverter {
  readonly encodingType = JSON_PROTOBUF;

  protected encode(schema: DescMessage, message: Message): Uint8Array {
    return text(toJsonString(schema, message, { registry: this.registry }));
  }

  protected decode(schema: DescMessage, data: Uint8Array): Message {
    return fromJsonString(schema, utf8Decoder.decode(data), {
      registry: this.registry,
      ignoreUnknownFields: true,
    });
  }
}

/** `binary/protobuf`: the wire format; unknown fields are kept, as protobuf does. */
export class ProtobufEsBinaryPayloadConverter extends ProtobufEsConverter {
  readonly encodingType = BINARY_PROTOBUF;

  protected encode(schema: DescMessage, message: Message): Uint8Array {
    return toBinary(schema, message);
  }

  protected decode(schema: DescMessage, data: Uint8Array): Message {
    return fromBinary(schema, data);
  }
}

export interface ProtobufPayloadConverterOptions {
  /** Send messages as `binary/protobuf` instead of `json/protobuf` (both are read either way). */
  readonly binary?: boolean;
}

/** What a payload converter can be built from: registries, files or message schemas. */
export type MessageTypes = Registry | DescFile | DescMessage;

/**
 * The SDK's default converter chain with protobuf-es messages of `types`: `undefined`
 * as no payload (`binary/null`), `Uint8Array` as `binary/plain`, messages as
 * `json/protobuf` (or `binary/protobuf` with `binary: true`), anything else as
 * `json/plain`. Export it as `payloadConverter` from the module named by
 * `dataConverter.payloadConverterPath`; the generated `_nexus.ts` modules export one.
 */
export function protobufPayloadConverter(
  types: readonly MessageTypes[],
  options: ProtobufPayloadConverterOptions = {},
): CompositePayloadConverter {
  const registry = createRegistry(...types);
  const json = new ProtobufEsJsonPayloadConverter(registry);
  const binary = new ProtobufEsBinaryPayloadConverter(registry);
  const [first, second] = options.binary ? [binary, json] : [json, binary];
  return new CompositePayloadConverter(
    new UndefinedPayloadConverter(),
    new BinaryPayloadConverter(),
    first,
    second,
    new JsonPayloadConverter(),
  );
}

/**
 * buf.validate checks of Nexus payloads with `@bufbuild/protovalidate`, and how their
 * failures read: every violation as `field.path: message [rule id]`, exactly as the
 * Python and Go runtimes write them (proto field names, map keys as Python's `repr`).
 * Generated code calls these only for messages that carry rules.
 */
import type { DescMessage, MessageShape } from '@bufbuild/protobuf';
import { createValidator, violationToProto, type Validator } from '@bufbuild/protovalidate';

let validator: Validator | undefined;

function theValidator(): Validator {
  validator ??= createValidator();
  return validator;
}

/** Every rule `message` breaks, as `field.path: message [rule id]`; empty when it keeps them. */
export function violations<Desc extends DescMessage>(schema: Desc, message: MessageShape<Desc>): string[] {
  const result = theValidator().validate(schema, message);
  if (result.kind === 'valid') return [];
  if (result.kind === 'error') throw result.error;
  return result.violations.map((violation) => {
    const [proto] = violationToProto(violation);
    const path = fieldPath(proto.field?.elements ?? []);
    const described = path ? `${path}: ${proto.message}` : proto.message;
    return proto.ruleId ? `${described} [${proto.ruleId}]` : described;
  });
}

/** `payments.v1.Request: a [x]; b [y]`: the message's full name, then its violations. */
export function summary(schema: DescMessage, found: readonly string[]): string {
  return `${schema.typeName}: ${found.join('; ')}`;
}

interface PathElement {
  readonly fieldName: string;
  readonly subscript:
    | { readonly case: 'index' | 'intKey' | 'uintKey'; readonly value: bigint }
    | { readonly case: 'boolKey'; readonly value: boolean }
    | { readonly case: 'stringKey'; readonly value: string }
    | { readonly case: undefined; readonly value?: undefined };
}

function fieldPath(elements: readonly PathElement[]): string {
  let out = '';
  for (const element of elements) {
    out += out ? `.${element.fieldName}` : element.fieldName;
    const subscript = element.subscript;
    switch (subscript.case) {
      case 'index':
      case 'intKey':
      case 'uintKey':
        out += `[${subscript.value.toString()}]`;
        break;
      case 'boolKey':
        out += `[${subscript.value ? 'true' : 'false'}]`;
        break;
      case 'stringKey':
        out += `[${pythonRepr(subscript.value)}]`;
        break;
      default:
        break;
    }
  }
  return out;
}

// Python's str.isprintable(): not a control, format, surrogate, private-use or
// unassigned character, nor a separator other than the ASCII space.
const NOT_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

function hex(code: number, width: number): string {
  return code.toString(16).padStart(width, '0');
}

/** A string as Python's `repr` writes it, so map keys in field paths read as in Python. */
export function pythonRepr(value: string): string {
  const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
  let out = quote;
  for (const char of value) {
    const code = char.codePointAt(0) ?? 0;
    if (char === quote || char === '\\') out += `\\${char}`;
    else if (char === '\t') out += '\\t';
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === ' ' || (code >= 0x20 && code < 0x7f)) out += char;
    else if (code < 0x80 || NOT_PRINTABLE.test(char)) {
      out += code <= 0xff ? `\\x${hex(code, 2)}` : code <= 0xffff ? `\\u${hex(code, 4)}` : `\\U${hex(code, 8)}`;
    } else out += char;
  }
  return out + quote;
}

// The contract's messages: a protobufjs reflection Root generated from the same
// descriptors as the Python code (scripts/generate-protos.js), patched so that
// `payments.v1.ProcessPaymentRequest` is the message type.
import * as root from '../build/protos/root';

export import payments = root.payments;
export import google = root.google;

/** The Root, as the protobuf payload converters take it. */
export const protobufRoot = root as unknown as Record<string, unknown>;

/** A decoded message's full name ("payments.v1.HealthStatus"), or its JS type for anything else. */
export function typeName(value: unknown): string {
  const type = (value as { $type?: { fullName?: string } } | null | undefined)?.$type;
  if (type?.fullName) return type.fullName.replace(/^\./, '');
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** The name of a PaymentStatus value ("PAYMENT_STATUS_SETTLED"). */
export function statusName(status: number | null | undefined): string {
  // patchProtobufRoot hoists types and namespaces, not enums: look it up.
  const paymentStatus = (root as unknown as { lookupEnum(name: string): { valuesById: Record<number, string> } })
    .lookupEnum('payments.v1.PaymentStatus');
  return paymentStatus.valuesById[status ?? 0] ?? `unknown(${status})`;
}

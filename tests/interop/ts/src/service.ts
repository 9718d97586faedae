// PaymentService as the TypeScript team declares it with nexus-rpc, from
// proto/payments/v1/payments.proto: the Nexus service name is the proto full
// name, operation names are the method names unless
// (nexusannotations.v1.operation).name says otherwise ("refund-payment").
// Requests are typed as message properties: pass `X.create({...})` (a message
// instance is what the protobuf payload converter recognises; a plain object
// would go out as json/plain).
import * as nexus from 'nexus-rpc';
import { google, payments } from './protos';

export const paymentService = nexus.service('payments.v1.PaymentService', {
  processPayment: nexus.operation<payments.v1.ProcessPaymentRequest.$Properties, payments.v1.ProcessPaymentResponse>({
    name: 'ProcessPayment',
  }),
  refundPayment: nexus.operation<payments.v1.RefundPaymentRequest.$Properties, payments.v1.RefundPaymentResponse>({
    name: 'refund-payment',
  }),
  // google.protobuf.Empty in: a message, or undefined (no value, as the Go generators and
  // the generated Python code send). Out: undefined, as the generated Python handler
  // answers an Empty result with no payload (binary/null).
  checkHealth: nexus.operation<google.protobuf.Empty.$Properties | undefined, payments.v1.HealthStatus>({
    name: 'CheckHealth',
  }),
  resetLedger: nexus.operation<google.protobuf.Empty.$Properties | undefined, google.protobuf.Empty | undefined>({
    name: 'ResetLedger',
  }),
});

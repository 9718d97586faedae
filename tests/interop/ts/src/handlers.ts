// The TypeScript team's PaymentService handlers, on the generated handler factories:
// only the sync operations are written here; refund-payment is the generated binding.
// Each served call is written to the call log (one JSON line), which the Python test reads.
import { appendFileSync } from 'node:fs';
import { create, toJson, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import * as current from './gen/payments/v1/payments_pb';
import { cartServiceHandler } from './gen/orders/v1/carts_nexus_handler';
import { paymentServiceHandler } from './gen/payments/v1/payments_nexus_handler';
import * as old from './gen_old/payments/v1/payments_pb';
import { paymentServiceHandler as olderPaymentServiceHandler } from './gen_old/payments/v1/payments_nexus_handler';

/** The order ID for which the handler answers an invalid response (no transaction ID). */
export const INVALID_RESPONSE_ORDER = 'ts-invalid-response';

function logger(path: string, contract: string) {
  return <D extends DescMessage>(operation: string, schema?: D, request?: MessageShape<D>) =>
    appendFileSync(
      path,
      JSON.stringify({
        contract,
        operation,
        input: schema && request ? toJson(schema, request) : null,
      }) + '\n',
    );
}

export function currentHandler(logPath: string) {
  const log = logger(logPath, 'current');
  return paymentServiceHandler({
    async processPayment(ctx, request) {
      log(ctx.operation, current.ProcessPaymentRequestSchema, request);
      return create(current.ProcessPaymentResponseSchema, {
        transactionId: request.orderId === INVALID_RESPONSE_ORDER ? '' : `ts-${request.orderId}`,
        status: current.PaymentStatus.SETTLED,
      });
    },
    async checkHealth(ctx) {
      log(ctx.operation);
      return create(current.HealthStatusSchema, { acceptingCharges: true });
    },
    async resetLedger(ctx) {
      log(ctx.operation);
    },
  });
}

/** The handler built from the older contract: it knows no order_id and no status. */
export function olderHandler(logPath: string) {
  const log = logger(logPath, 'old');
  return olderPaymentServiceHandler({
    async processPayment(ctx, request) {
      log(ctx.operation, old.ProcessPaymentRequestSchema, request);
      return create(old.ProcessPaymentResponseSchema, { transactionId: `ts-old-${request.customerId}` });
    },
    async checkHealth(ctx) {
      log(ctx.operation);
      return create(old.HealthStatusSchema, { acceptingCharges: true });
    },
    async resetLedger(ctx) {
      log(ctx.operation);
    },
  });
}

/** CartService: every operation is bound to CartWorkflow, so there is nothing to write. */
export function cartHandler() {
  return cartServiceHandler({});
}

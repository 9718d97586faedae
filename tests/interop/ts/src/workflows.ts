// The orders team's workflows, in TypeScript, on the code protoc-gen-nexus-ts generates:
// a caller of the Python PaymentService handler, and the RefundPaymentWorkflow that the
// TypeScript handler's generated refund-payment binding starts. Both run in the workflow
// bundle with the generated payload converter (gen/payments/v1/payments_nexus).
import { create, toJson } from '@bufbuild/protobuf';
import { InvalidRequestError } from '@nexusproto/runtime';
import * as nexus from 'nexus-rpc';
import { createNexusServiceClient, sleep } from '@temporalio/workflow';
import { PaymentServiceWorkflowClient } from './gen/payments/v1/payments_nexus';
import {
  MoneySchema,
  PaymentStatus,
  ProcessPaymentRequestSchema,
  ProcessPaymentResponseSchema,
  RefundPaymentRequestSchema,
  RefundPaymentResponseSchema,
  type ProcessPaymentRequest,
  type ProcessPaymentResponse,
  type RefundPaymentRequest,
  type RefundPaymentResponse,
} from './gen/payments/v1/payments_pb';
import { attempt, describeError, type CallReport } from './report';

export interface CallerInput {
  endpoint: string;
  customerId: string;
  orderId: string;
}

export interface CallerSummary {
  processPayment: CallReport;
  refundPayment: CallReport;
  checkHealth: CallReport;
  resetLedger: CallReport;
  invalidAtCaller: CallReport;
  invalidAtHandler: CallReport;
}

// The raw SDK, with no generated code but the messages: the service declared by hand with
// the contract's wire names, called through createNexusServiceClient.
const handWritten = nexus.service('payments.v1.PaymentService', {
  processPayment: nexus.operation<ProcessPaymentRequest, ProcessPaymentResponse>({ name: 'ProcessPayment' }),
});

const PROBE_TIMEOUT = '10s';

export async function paymentsCallerWorkflow(input: CallerInput): Promise<CallerSummary> {
  // The endpoint of the test; the timeout of every call is the contract's (60 s).
  const payments = new PaymentServiceWorkflowClient(input.endpoint);
  const amount = create(MoneySchema, { currency: 'EUR', amountMinor: 1999n });

  const payThenRefund = async (): Promise<[CallReport, CallReport]> => {
    let transactionId = '';
    const processPayment = await attempt(async () => {
      const response = await payments.processPayment(
        create(ProcessPaymentRequestSchema, { customerId: input.customerId, orderId: input.orderId, amount }),
      );
      transactionId = response.transactionId;
      return { resultType: response.$typeName, result: toJson(ProcessPaymentResponseSchema, response) as Record<string, unknown> };
    });
    const refundPayment = await attempt(async () => {
      const handle = await payments.startRefundPayment(
        create(RefundPaymentRequestSchema, { transactionId, amount, reason: 'customer changed their mind' }),
      );
      const response = await handle.result();
      return {
        resultType: response.$typeName,
        operationToken: handle.token ?? '',
        result: toJson(RefundPaymentResponseSchema, response) as Record<string, unknown>,
      };
    });
    return [processPayment, refundPayment];
  };

  // google.protobuf.Empty in (no argument) and out (void).
  const checkHealth = () =>
    attempt(async () => {
      const health = await payments.checkHealth();
      return { resultType: health.$typeName, result: { acceptingCharges: health.acceptingCharges } };
    });
  const resetLedger = () =>
    attempt(async () => {
      const reset = await payments.resetLedger();
      return { resultType: typeof reset };
    });

  // Breaks three rules of payments.proto: customer_id UUID, currency pattern, amount_minor > 0.
  const invalid = create(ProcessPaymentRequestSchema, {
    customerId: 'not-a-uuid',
    orderId: `${input.orderId}-invalid`,
    amount: create(MoneySchema, { currency: 'eur', amountMinor: 0n }),
  });
  // The generated client checks it and sends nothing.
  const invalidAtCaller = async (): Promise<CallReport> => {
    try {
      await payments.processPayment(invalid, { scheduleToCloseTimeout: PROBE_TIMEOUT });
      return { ok: true };
    } catch (err) {
      const report = { ok: false, error: describeError(err) };
      if (err instanceof InvalidRequestError) {
        return { ...report, result: { violations: [...err.violations], nonRetryable: err.nonRetryable } };
      }
      return report;
    }
  };
  // The raw SDK client sends it: the Python handler refuses it.
  const invalidAtHandler = () =>
    attempt(async () => {
      const client = createNexusServiceClient({ service: handWritten, endpoint: input.endpoint });
      const response = await client.executeOperation('processPayment', invalid, { scheduleToCloseTimeout: PROBE_TIMEOUT });
      return { resultType: response.$typeName };
    });

  const [[processPayment, refundPayment], health, reset, atCaller, atHandler] = await Promise.all([
    payThenRefund(),
    checkHealth(),
    resetLedger(),
    invalidAtCaller(),
    invalidAtHandler(),
  ]);
  return {
    processPayment,
    refundPayment,
    checkHealth: health,
    resetLedger: reset,
    invalidAtCaller: atCaller,
    invalidAtHandler: atHandler,
  };
}

/** What the TypeScript handler's generated refund-payment binding starts, by this name. */
export async function RefundPaymentWorkflow(request: RefundPaymentRequest): Promise<RefundPaymentResponse> {
  await sleep(100); // asynchronous: the caller gets a token first
  return create(RefundPaymentResponseSchema, {
    refundId: `ts-refund-of-${request.transactionId}`,
    status: PaymentStatus.REFUNDED,
  });
}

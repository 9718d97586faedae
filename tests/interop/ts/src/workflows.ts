// The orders team's caller workflow, in TypeScript: calls the Python
// PaymentService handler through a Nexus endpoint and reports what it saw.
// Independent calls run concurrently (the probes that fail slowly do not add up).
import { createNexusServiceClient } from '@temporalio/workflow';
import { google, payments, statusName, typeName } from './protos';
import { attempt, CallReport } from './report';
import { paymentService } from './service';

export interface CallerInput {
  endpoint: string;
  customerId: string;
  orderId: string;
}

export interface CallerSummary {
  processPayment: CallReport;
  refundPayment: CallReport;
  checkHealth: CallReport;
  checkHealthUndefined: CallReport;
  resetLedger: CallReport;
  invalidRequest: CallReport;
  plainObjectRequest: CallReport;
  undefinedRequest: CallReport;
}

const TIMEOUT = '60s'; // default_schedule_to_close_timeout of payments.proto
// Calls that may fail retryably (an INTERNAL handler error is retried until
// this timeout); short so that a surprise does not hang the test.
const PROBE_TIMEOUT = '8s';
// The no-value request below is retried by the Python handler (INTERNAL error)
// until it times out: keep that short.
const NO_VALUE_TIMEOUT = '4s';

export async function paymentsCallerWorkflow(input: CallerInput): Promise<CallerSummary> {
  const client = createNexusServiceClient({ service: paymentService, endpoint: input.endpoint });
  const amount = payments.v1.Money.create({ currency: 'EUR', amountMinor: 1999 });

  // A sync operation, then a workflow-run operation on its result.
  async function payThenRefund(): Promise<[CallReport, CallReport]> {
    let transactionId = '';
    const processPayment = await attempt(async () => {
      const response = await client.executeOperation(
        'processPayment',
        payments.v1.ProcessPaymentRequest.create({ customerId: input.customerId, orderId: input.orderId, amount }),
        { scheduleToCloseTimeout: TIMEOUT },
      );
      transactionId = response.transactionId;
      return {
        resultType: typeName(response),
        result: {
          transactionId: response.transactionId,
          status: response.status,
          statusName: statusName(response.status),
        },
      };
    });
    const refundPayment = await attempt(async () => {
      const handle = await client.startOperation(
        'refundPayment',
        payments.v1.RefundPaymentRequest.create({ transactionId, amount, reason: 'customer changed their mind' }),
        { scheduleToCloseTimeout: TIMEOUT },
      );
      const response = await handle.result();
      return {
        resultType: typeName(response),
        operationToken: handle.token ?? '',
        result: { refundId: response.refundId, status: response.status, statusName: statusName(response.status) },
      };
    });
    return [processPayment, refundPayment];
  }

  // google.protobuf.Empty in (as a message, then as no value) and out.
  async function emptyMessages(): Promise<[CallReport, CallReport, CallReport]> {
    const checkHealth = await attempt(async () => {
      const health = await client.executeOperation('checkHealth', google.protobuf.Empty.create(), {
        scheduleToCloseTimeout: TIMEOUT,
      });
      return { resultType: typeName(health), result: { acceptingCharges: health.acceptingCharges } };
    });
    const checkHealthUndefined = await attempt(async () => {
      const health = await client.executeOperation('checkHealth', undefined, {
        scheduleToCloseTimeout: PROBE_TIMEOUT,
      });
      return { resultType: typeName(health), result: { acceptingCharges: health.acceptingCharges } };
    });
    const resetLedger = await attempt(async () => {
      const reset = await client.executeOperation('resetLedger', google.protobuf.Empty.create(), {
        scheduleToCloseTimeout: TIMEOUT,
      });
      return { resultType: typeName(reset) };
    });
    return [checkHealth, checkHealthUndefined, resetLedger];
  }

  // Breaks three rules of payments.proto: customer_id UUID, currency pattern, amount_minor > 0.
  const invalidRequest = () =>
    attempt(async () => {
      const response = await client.executeOperation(
        'processPayment',
        payments.v1.ProcessPaymentRequest.create({
          customerId: 'not-a-uuid',
          orderId: `${input.orderId}-invalid`,
          amount: payments.v1.Money.create({ currency: 'eur', amountMinor: 0 }),
        }),
        { scheduleToCloseTimeout: PROBE_TIMEOUT },
      );
      return { resultType: typeName(response) };
    });

  // A plain object instead of a message: the protobuf converters skip it and the
  // JSON converter sends it as json/plain.
  const plainObjectRequest = () =>
    attempt(async () => {
      const response = await client.executeOperation(
        'processPayment',
        {
          customerId: input.customerId,
          orderId: `${input.orderId}-plain`,
          amount: { currency: 'EUR', amountMinor: 1999 },
        },
        { scheduleToCloseTimeout: PROBE_TIMEOUT },
      );
      return { resultType: typeName(response), result: { transactionId: response.transactionId } };
    });

  // No request at all where a message is expected (binary/null on the wire).
  const undefinedRequest = () =>
    attempt(async () => {
      const response = await client.executeOperation(
        'processPayment',
        undefined as unknown as payments.v1.ProcessPaymentRequest.$Properties,
        { scheduleToCloseTimeout: NO_VALUE_TIMEOUT },
      );
      return { resultType: typeName(response) };
    });

  const [[processPayment, refundPayment], [checkHealth, checkHealthUndefined, resetLedger], invalid, plain, none] =
    await Promise.all([payThenRefund(), emptyMessages(), invalidRequest(), plainObjectRequest(), undefinedRequest()]);

  return {
    processPayment,
    refundPayment,
    checkHealth,
    checkHealthUndefined,
    resetLedger,
    invalidRequest: invalid,
    plainObjectRequest: plain,
    undefinedRequest: none,
  };
}

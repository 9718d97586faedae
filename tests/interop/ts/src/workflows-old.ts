// The same team built from an OLDER payments contract (tests/interop/go/proto_old: no
// ProcessPaymentRequest.order_id, no ProcessPaymentResponse.status): a caller of the
// current Python handler, and the workflow of its own older handler's refund binding.
import { create, toJson } from '@bufbuild/protobuf';
import { sleep } from '@temporalio/workflow';
import { PaymentServiceWorkflowClient } from './gen_old/payments/v1/payments_nexus';
import {
  MoneySchema,
  PaymentStatus,
  ProcessPaymentRequestSchema,
  ProcessPaymentResponseSchema,
  RefundPaymentResponseSchema,
  type RefundPaymentRequest,
  type RefundPaymentResponse,
} from './gen_old/payments/v1/payments_pb';
import { attempt, type CallReport } from './report';

export async function olderCallerWorkflow(endpoint: string, customerId: string): Promise<CallReport> {
  const payments = new PaymentServiceWorkflowClient(endpoint);
  return await attempt(async () => {
    const response = await payments.processPayment(
      create(ProcessPaymentRequestSchema, {
        customerId,
        amount: create(MoneySchema, { currency: 'EUR', amountMinor: 700n }),
      }),
    );
    return { resultType: response.$typeName, result: toJson(ProcessPaymentResponseSchema, response) as Record<string, unknown> };
  });
}

export async function RefundPaymentWorkflow(request: RefundPaymentRequest): Promise<RefundPaymentResponse> {
  await sleep(100);
  return create(RefundPaymentResponseSchema, {
    refundId: `ts-old-refund-of-${request.transactionId}`,
    status: PaymentStatus.REFUNDED,
  });
}

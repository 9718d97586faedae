package interop;

import payments.v1.Payments.Money;
import payments.v1.Payments.PaymentStatus;
import payments.v1.Payments.ProcessPaymentRequest;
import payments.v1.Payments.ProcessPaymentResponse;

/**
 * The NEWER payments contract (tests/interop/go/proto_new): plus
 * ProcessPaymentRequest.idempotency_key and ProcessPaymentResponse.receipt_id,
 * always set here so that they are on the wire for a reader built from the
 * current contract. See the current contract's Contract.
 */
public final class Contract {
  private Contract() {}

  public static String version() {
    return "new";
  }

  /** Sets the newer idempotency_key, derived from the order. */
  public static ProcessPaymentRequest newPaymentRequest(
      String customerId, String orderId, Money amount) {
    return ProcessPaymentRequest.newBuilder()
        .setCustomerId(customerId)
        .setOrderId(orderId)
        .setAmount(amount)
        .setIdempotencyKey("idem-" + orderId)
        .build();
  }

  public static String paymentReference(ProcessPaymentRequest request) {
    return request.getOrderId();
  }

  /** Sets the newer receipt_id. */
  public static ProcessPaymentResponse settledPayment(String transactionId) {
    return ProcessPaymentResponse.newBuilder()
        .setTransactionId(transactionId)
        .setStatus(PaymentStatus.PAYMENT_STATUS_SETTLED)
        .setReceiptId("receipt-" + transactionId)
        .build();
  }
}

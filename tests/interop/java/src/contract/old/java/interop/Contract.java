package interop;

import payments.v1.Payments.Money;
import payments.v1.Payments.ProcessPaymentRequest;
import payments.v1.Payments.ProcessPaymentResponse;

/**
 * The OLDER payments contract (tests/interop/go/proto_old): no
 * ProcessPaymentRequest.order_id, no ProcessPaymentResponse.status. See the
 * current contract's Contract.
 */
public final class Contract {
  private Contract() {}

  public static String version() {
    return "old";
  }

  /** Drops orderId: the older contract has no field for it. */
  public static ProcessPaymentRequest newPaymentRequest(
      String customerId, String orderId, Money amount) {
    return ProcessPaymentRequest.newBuilder().setCustomerId(customerId).setAmount(amount).build();
  }

  /** Without an order ID, the Java handler's transaction IDs name the customer. */
  public static String paymentReference(ProcessPaymentRequest request) {
    return "customer-" + request.getCustomerId();
  }

  /** No status to set. */
  public static ProcessPaymentResponse settledPayment(String transactionId) {
    return ProcessPaymentResponse.newBuilder().setTransactionId(transactionId).build();
  }
}

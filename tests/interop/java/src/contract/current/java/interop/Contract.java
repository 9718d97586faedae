package interop;

import payments.v1.Payments.Money;
import payments.v1.Payments.PaymentStatus;
import payments.v1.Payments.ProcessPaymentRequest;
import payments.v1.Payments.ProcessPaymentResponse;

/**
 * What differs between the payments contracts the program is built against:
 * this one is compiled with the current contract's messages. The older and the
 * newer one (src/contract/old, src/contract/new) are compiled with theirs and
 * put first on the class path (build.sh, test_java.py). The rest of the program
 * uses only what the three contracts share.
 */
public final class Contract {
  private Contract() {}

  /** The payments contract this class was compiled against. */
  public static String version() {
    return "current";
  }

  public static ProcessPaymentRequest newPaymentRequest(
      String customerId, String orderId, Money amount) {
    return ProcessPaymentRequest.newBuilder()
        .setCustomerId(customerId)
        .setOrderId(orderId)
        .setAmount(amount)
        .build();
  }

  /** What the Java handler's transaction IDs name: the order. */
  public static String paymentReference(ProcessPaymentRequest request) {
    return request.getOrderId();
  }

  public static ProcessPaymentResponse settledPayment(String transactionId) {
    return ProcessPaymentResponse.newBuilder()
        .setTransactionId(transactionId)
        .setStatus(PaymentStatus.PAYMENT_STATUS_SETTLED)
        .build();
  }
}

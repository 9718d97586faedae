package interop;

import com.google.protobuf.Empty;
import io.nexusrpc.Operation;
import io.nexusrpc.Service;
import payments.v1.Payments.HealthStatus;
import payments.v1.Payments.ProcessPaymentRequest;
import payments.v1.Payments.ProcessPaymentResponse;
import payments.v1.Payments.RefundPaymentRequest;
import payments.v1.Payments.RefundPaymentResponse;

/**
 * The same service with google.protobuf.Empty typed as the message
 * (com.google.protobuf.Empty), as a Java team writing the proto types one to
 * one would: a caller sends json/protobuf {}, a handler answers it.
 */
@Service(name = "payments.v1.PaymentService")
public interface PaymentServiceEmptyMessage {
  @Operation(name = "ProcessPayment")
  ProcessPaymentResponse processPayment(ProcessPaymentRequest request);

  @Operation(name = "refund-payment")
  RefundPaymentResponse refundPayment(RefundPaymentRequest request);

  @Operation(name = "CheckHealth")
  HealthStatus checkHealth(Empty request);

  @Operation(name = "ResetLedger")
  Empty resetLedger(Empty request);
}

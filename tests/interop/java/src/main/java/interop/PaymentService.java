package interop;

import io.nexusrpc.Operation;
import io.nexusrpc.Service;
import payments.v1.Payments.HealthStatus;
import payments.v1.Payments.ProcessPaymentRequest;
import payments.v1.Payments.ProcessPaymentResponse;
import payments.v1.Payments.RefundPaymentRequest;
import payments.v1.Payments.RefundPaymentResponse;

/**
 * payments.v1.PaymentService as a Java team declares it: no generator reads the
 * nexusannotations options for Java, so the wire names are written by hand from
 * the contract. The service is (nexusannotations.v1.service).name or the proto
 * service's full name; an operation is (nexusannotations.v1.operation).name or
 * the proto method name. The Java method names never travel.
 *
 * <p>google.protobuf.Empty is "no value": no parameter (the caller sends no
 * payload, binary/null) and a void result. {@link PaymentServiceEmptyMessage}
 * types it as the Empty message instead.
 */
@Service(name = "payments.v1.PaymentService")
public interface PaymentService {
  @Operation(name = "ProcessPayment")
  ProcessPaymentResponse processPayment(ProcessPaymentRequest request);

  /** (nexusannotations.v1.operation).name = "refund-payment"; a workflow-run operation. */
  @Operation(name = "refund-payment")
  RefundPaymentResponse refundPayment(RefundPaymentRequest request);

  @Operation(name = "CheckHealth")
  HealthStatus checkHealth();

  @Operation(name = "ResetLedger")
  void resetLedger();
}

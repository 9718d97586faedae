package dev.nexusproto;

import io.temporal.workflow.NexusOperationOptions;
import io.temporal.workflow.NexusServiceOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What {@link Calls} makes of a caller's options: the contract's endpoint and per-operation
 * timeout where the options set none, the options' own values where they do (for all operations,
 * then for one), and never per-operation options in the result (which the SDK fails on). Prints
 * one line per check and exits 1 when one fails.
 */
public final class CallOptionsPrecedence {
  private static final Map<String, Duration> TIMEOUTS = Map.of("Pay", Duration.ofSeconds(60));
  private static final List<String> FAILED = new ArrayList<>();

  private CallOptionsPrecedence() {}

  private static void check(String name, Object got, Object want) {
    boolean ok = want == null ? got == null : want.equals(got);
    System.out.println((ok ? "ok " : "FAIL ") + name + (ok ? "" : ": got " + got + ", want " + want));
    if (!ok) {
      FAILED.add(name);
    }
  }

  private static Duration timeout(NexusServiceOptions options, String operation) {
    return Calls.forOperation(options, operation, TIMEOUTS)
        .getOperationOptions()
        .getScheduleToCloseTimeout();
  }

  private static NexusOperationOptions within(long seconds) {
    return NexusOperationOptions.newBuilder()
        .setScheduleToCloseTimeout(Duration.ofSeconds(seconds))
        .build();
  }

  public static void main(String[] args) {
    NexusServiceOptions none = NexusServiceOptions.newBuilder().build();
    check("endpoint from the contract", Calls.withEndpoint(none, "payments").getEndpoint(), "payments");
    NexusServiceOptions own = NexusServiceOptions.newBuilder().setEndpoint("mine").build();
    check("endpoint given", Calls.withEndpoint(own, "payments").getEndpoint(), "mine");
    try {
      Calls.withEndpoint(none, "");
      check("no endpoint at all refused", "accepted", "refused");
    } catch (IllegalArgumentException e) {
      check("no endpoint at all refused", "refused", "refused");
    }
    check("the contract's timeout", timeout(none, "Pay"), Duration.ofSeconds(60));
    check("no timeout in the contract", timeout(none, "Other"), null);
    NexusServiceOptions all = NexusServiceOptions.newBuilder().setOperationOptions(within(5)).build();
    check("options for all operations win", timeout(all, "Pay"), Duration.ofSeconds(5));
    NexusServiceOptions one =
        NexusServiceOptions.newBuilder()
            .setOperationOptions(within(5))
            .setOperationMethodOptions(Map.of("Pay", within(7)))
            .build();
    check("options for the operation win", timeout(one, "Pay"), Duration.ofSeconds(7));
    check("options for another operation do not", timeout(one, "Other"), Duration.ofSeconds(5));
    check(
        "no per-operation options left",
        Calls.forOperation(one, "Pay", TIMEOUTS).getOperationMethodOptions().isEmpty(),
        true);
    System.out.println(FAILED.size() + " failed");
    System.exit(FAILED.isEmpty() ? 0 : 1);
  }
}

package interop;

import io.temporal.common.converter.EncodedValues;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.DynamicQueryHandler;
import io.temporal.workflow.DynamicSignalHandler;
import io.temporal.workflow.DynamicUpdateHandler;
import io.temporal.workflow.DynamicWorkflow;
import io.temporal.workflow.Workflow;
import orders.v1.Carts.AddItemRequest;
import orders.v1.Carts.ApplyCouponRequest;
import orders.v1.Carts.Cart;
import orders.v1.Carts.CartLine;
import orders.v1.Carts.RemoveItemRequest;
import orders.v1.CartServiceNexus;
import payments.v1.Payments.Money;

/**
 * The carts contract (orders/v1/carts.proto) served by Java: every operation is bound to an
 * update, a signal or a query of CartWorkflow, so the team's handler is the generated {@link
 * CartServiceNexus.Handler} with all its defaults, and the team writes only the workflow.
 */
final class Carts {
  private Carts() {}

  /** What the "void" workers serve for carts: the generated bindings, nothing overridden. */
  static CartServiceNexus.Implementation service() {
    return new CartServiceNexus.Implementation(new CartServiceNexus.Handler() {});
  }

  /**
   * CartWorkflow, as a dynamic workflow: it is started by AddItem (update-with-start) or by
   * ApplyCoupon (signal-with-start) with that operation's request, which it does not need (the
   * cart's ID is in its workflow ID), and it runs until checked out. Removing an item the cart
   * does not hold fails the update.
   */
  public static final class CartWorkflow implements DynamicWorkflow {
    private final Cart.Builder cart;

    /**
     * The handlers are registered here, not in {@link #execute}: an update that starts the
     * workflow is delivered before the workflow method runs.
     */
    public CartWorkflow() {
      cart =
          Cart.newBuilder()
              .setCartId(Workflow.getInfo().getWorkflowId().replaceFirst("^cart-", ""));
      Workflow.registerListener((DynamicUpdateHandler) this::update);
      Workflow.registerListener((DynamicSignalHandler) this::signal);
      Workflow.registerListener((DynamicQueryHandler) (name, args) -> cart.build());
    }

    @Override
    public Object execute(EncodedValues arguments) {
      Workflow.await(cart::getCheckedOut);
      return cart.build();
    }

    private Object update(String name, EncodedValues arguments) {
      switch (name) {
        case "add_item":
          {
            AddItemRequest request = arguments.get(0, AddItemRequest.class);
            cart.addLines(
                CartLine.newBuilder()
                    .setSku(request.getSku())
                    .setQuantity(request.getQuantity())
                    .setUnitPrice(request.getUnitPrice()));
            long total = cart.getTotal().getAmountMinor();
            cart.setTotal(
                Money.newBuilder()
                    .setCurrency(cart.getLines(0).getUnitPrice().getCurrency())
                    .setAmountMinor(
                        total + request.getQuantity() * request.getUnitPrice().getAmountMinor()));
            return cart.build();
          }
        case "remove_item":
          {
            RemoveItemRequest request = arguments.get(0, RemoveItemRequest.class);
            for (int i = 0; i < cart.getLinesCount(); i++) {
              if (cart.getLines(i).getSku().equals(request.getSku())) {
                cart.removeLines(i);
                return cart.build();
              }
            }
            throw ApplicationFailure.newFailure(
                "no item " + request.getSku() + " in the cart", "NoSuchItem");
          }
        default:
          throw ApplicationFailure.newNonRetryableFailure("no update " + name, "NoSuchUpdate");
      }
    }

    private void signal(String name, EncodedValues arguments) {
      if (name.equals("apply_coupon")) {
        cart.addCoupons(arguments.get(0, ApplyCouponRequest.class).getCode());
      } else if (name.equals("checkout")) {
        cart.setCheckedOut(true);
      }
    }
  }
}

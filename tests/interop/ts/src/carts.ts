// The orders team's long-lived cart workflow, in TypeScript: what CartService's
// operations reach. Every CartService operation is bound to it by the contract (updates
// add_item and remove_item, signals apply_coupon and checkout, query get), so the
// generated handler serves all of them and the team writes no handler code at all.
import { create } from '@bufbuild/protobuf';
import { condition, defineQuery, defineSignal, defineUpdate, setHandler } from '@temporalio/workflow';
import {
  CartLineSchema,
  CartSchema,
  type AddItemRequest,
  type ApplyCouponRequest,
  type Cart,
  type CheckoutRequest,
  type GetCartRequest,
  type RemoveItemRequest,
} from './gen/orders/v1/carts_pb';
import { MoneySchema } from './gen/payments/v1/payments_pb';

export const addItem = defineUpdate<Cart, [AddItemRequest]>('add_item');
export const removeItem = defineUpdate<Cart, [RemoveItemRequest]>('remove_item');
export const applyCoupon = defineSignal<[ApplyCouponRequest]>('apply_coupon');
export const checkout = defineSignal<[CheckoutRequest]>('checkout');
export const get = defineQuery<Cart, [GetCartRequest]>('get');

/** Started by add_item or apply_coupon (with-start), with that request as its argument. */
export async function CartWorkflow(first: AddItemRequest | ApplyCouponRequest): Promise<void> {
  const cart = create(CartSchema, { cartId: first.cartId });
  // No total for an empty cart: Money's rules want an amount above 0.
  const total = () => {
    let sum = 0n;
    for (const line of cart.lines) sum += BigInt(line.quantity) * (line.unitPrice?.amountMinor ?? 0n);
    cart.total = sum > 0n ? create(MoneySchema, { currency: 'EUR', amountMinor: sum }) : undefined;
  };
  setHandler(addItem, (request) => {
    cart.lines.push(create(CartLineSchema, { sku: request.sku, quantity: request.quantity, unitPrice: request.unitPrice }));
    total();
    return cart;
  });
  setHandler(
    removeItem,
    (request) => {
      cart.lines = cart.lines.filter((line) => line.sku !== request.sku);
      total();
      return cart;
    },
    {
      validator: (request) => {
        if (!cart.lines.some((line) => line.sku === request.sku)) throw new Error(`no ${request.sku} in the cart`);
      },
    },
  );
  setHandler(applyCoupon, (request) => {
    cart.coupons.push(request.code);
  });
  setHandler(checkout, () => {
    cart.checkedOut = true;
  });
  setHandler(get, () => cart);
  await condition(() => cart.checkedOut);
}

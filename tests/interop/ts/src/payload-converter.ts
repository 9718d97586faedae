// One converter for several contracts (the TS handler worker serves PaymentService and
// CartService): the generated `messageTypes` of each file, together.
import { protobufPayloadConverter } from '@nexusproto/runtime';
import { messageTypes as carts } from './gen/orders/v1/carts_nexus';
import { messageTypes as payments } from './gen/payments/v1/payments_nexus';

export const payloadConverter = protobufPayloadConverter([...payments, ...carts]);

// The workflows of the TypeScript handler worker: what its generated bindings start or reach.
export { RefundPaymentWorkflow } from './workflows';
export { CartWorkflow } from './carts';

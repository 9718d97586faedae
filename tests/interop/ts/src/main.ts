// The TypeScript team's program, on the code protoc-gen-nexus-ts generates.
//
//   node build/main.js caller --address HOST:PORT --namespace orders --endpoint EP \
//     --task-queue TQ --customer-id UUID --order-id ID [--out FILE]
// runs the caller workflow against the Python handler behind EP, two standalone calls
// (json/protobuf and binary/protobuf), and the older contract's caller workflow; prints
// (and writes to --out) a JSON summary.
//
//   node build/main.js handler --address HOST:PORT --namespace NS --task-queue TQ \
//     --old-task-queue TQ2 --log FILE
// serves PaymentService and CartService (the current contract on TQ; PaymentService of
// the older one on TQ2) until SIGTERM, printing "ready" once both workers run; each served call is a line of FILE.
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { create, toJson } from '@bufbuild/protobuf';
import { InvalidRequestError } from '@nexusproto/runtime';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { PaymentServiceStandaloneClient } from './gen/payments/v1/payments_nexus_client';
import { payloadConverter as jsonFirst } from './gen/payments/v1/payments_nexus';
import { MoneySchema, ProcessPaymentRequestSchema, ProcessPaymentResponseSchema } from './gen/payments/v1/payments_pb';
import { cartHandler, currentHandler, olderHandler } from './handlers';
import { payloadConverter as binaryFirst } from './payload-converter-binary';
import { attempt, describeError, type CallReport } from './report';
import { paymentsCallerWorkflow, type CallerSummary } from './workflows';
import { olderCallerWorkflow } from './workflows-old';

type Args = Record<string, string>;

function parseArgs(argv: string[]): Args {
  const values: Args = {};
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i];
    const value = argv[i + 1];
    if (key === undefined || !key.startsWith('--') || value === undefined) throw new Error(`bad arguments near ${key}`);
    values[key.slice(2)] = value;
  }
  return values;
}

function need(args: Args, name: string): string {
  const value = args[name];
  if (!value) throw new Error(`--${name} is required`);
  return value;
}

const currentConverter = require.resolve('./gen/payments/v1/payments_nexus');
const olderConverter = require.resolve('./gen_old/payments/v1/payments_nexus');

export interface StandaloneReport extends CallReport {
  /** Metadata of the request payload this client's converter produced. */
  requestEncoding?: string;
  requestMessageType?: string;
}

export interface Summary {
  workflowId: string;
  olderWorkflowId: string;
  orderId: string;
  workflow: CallerSummary;
  standaloneJson: StandaloneReport;
  standaloneBinary: StandaloneReport;
  standaloneInvalid: CallReport;
  olderCaller: CallReport;
  seconds: Record<string, number>;
}

async function standalone(
  connection: Connection,
  args: Args,
  payloadConverterPath: string,
  orderId: string,
  converter: typeof jsonFirst,
): Promise<StandaloneReport> {
  const client = new Client({ connection, namespace: need(args, 'namespace'), dataConverter: { payloadConverterPath } });
  const payments = new PaymentServiceStandaloneClient(client, need(args, 'endpoint'));
  const request = create(ProcessPaymentRequestSchema, {
    customerId: need(args, 'customer-id'),
    orderId,
    amount: create(MoneySchema, { currency: 'EUR', amountMinor: 500n }),
  });
  const report = await attempt(async () => {
    const response = await payments.processPayment(request);
    return { resultType: response.$typeName, result: toJson(ProcessPaymentResponseSchema, response) as Record<string, unknown> };
  });
  const metadata = converter.toPayload(request)?.metadata ?? {};
  const text = (key: string) => Buffer.from(metadata[key] ?? []).toString('utf8');
  return { ...report, requestEncoding: text('encoding'), requestMessageType: text('messageType') };
}

async function standaloneInvalid(connection: Connection, args: Args): Promise<CallReport> {
  const client = new Client({ connection, namespace: need(args, 'namespace'), dataConverter: { payloadConverterPath: currentConverter } });
  const payments = new PaymentServiceStandaloneClient(client, need(args, 'endpoint'));
  try {
    await payments.processPayment(create(ProcessPaymentRequestSchema, { customerId: 'nope', orderId: 'standalone-invalid' }));
    return { ok: true };
  } catch (err) {
    const violations = err instanceof InvalidRequestError ? [...err.violations] : [];
    return { ok: false, error: describeError(err), result: { violations } };
  }
}

async function caller(args: Args): Promise<void> {
  const started = Date.now();
  const seconds: Record<string, number> = {};
  const lap = (name: string, since: number) => (seconds[name] = (Date.now() - since) / 1000);
  const address = need(args, 'address');
  const namespace = need(args, 'namespace');
  const taskQueue = need(args, 'task-queue');
  const nativeConnection = await NativeConnection.connect({ address });
  const connection = await Connection.connect({ address });
  try {
    const t0 = Date.now();
    const worker = await Worker.create({
      connection: nativeConnection,
      namespace,
      taskQueue,
      workflowsPath: require.resolve('./workflows'),
      dataConverter: { payloadConverterPath: currentConverter },
    });
    const olderWorker = await Worker.create({
      connection: nativeConnection,
      namespace,
      taskQueue: `${taskQueue}-old`,
      workflowsPath: require.resolve('./workflows-old'),
      dataConverter: { payloadConverterPath: olderConverter },
    });
    lap('workerCreate', t0); // mostly webpack bundling the workflow code
    const client = new Client({ connection, namespace, dataConverter: { payloadConverterPath: currentConverter } });
    const workflowId = `ts-caller-${randomUUID()}`;
    const olderWorkflowId = `ts-older-caller-${randomUUID()}`;
    const orderId = need(args, 'order-id');
    const summary = await worker.runUntil(
      olderWorker.runUntil(async () => {
        const t1 = Date.now();
        const workflow = await client.workflow.execute(paymentsCallerWorkflow, {
          workflowId,
          taskQueue,
          args: [{ endpoint: need(args, 'endpoint'), customerId: need(args, 'customer-id'), orderId }],
          workflowExecutionTimeout: '5 minutes',
        });
        const olderCaller = await client.workflow.execute(olderCallerWorkflow, {
          workflowId: olderWorkflowId,
          taskQueue: `${taskQueue}-old`,
          args: [need(args, 'endpoint'), need(args, 'customer-id')],
          workflowExecutionTimeout: '5 minutes',
        });
        lap('workflows', t1);
        const t2 = Date.now();
        const standaloneJson = await standalone(connection, args, currentConverter, `${orderId}-standalone-json`, jsonFirst);
        const standaloneBinary = await standalone(
          connection,
          args,
          require.resolve('./payload-converter-binary'),
          `${orderId}-standalone-binary`,
          binaryFirst,
        );
        const invalid = await standaloneInvalid(connection, args);
        lap('standalone', t2);
        return { workflow, olderCaller, standaloneJson, standaloneBinary, standaloneInvalid: invalid };
      }),
    );
    lap('total', started);
    const out: Summary = { workflowId, olderWorkflowId, orderId, ...summary, seconds };
    const text = JSON.stringify(out, null, 2);
    if (args.out) writeFileSync(args.out, text + '\n');
    process.stdout.write(text + '\n');
  } finally {
    await connection.close();
    await nativeConnection.close();
  }
}

async function handler(args: Args): Promise<void> {
  const connection = await NativeConnection.connect({ address: need(args, 'address') });
  const namespace = need(args, 'namespace');
  const log = need(args, 'log');
  const workers = [
    await Worker.create({
      connection,
      namespace,
      taskQueue: need(args, 'task-queue'),
      nexusServices: [currentHandler(log), cartHandler()],
      workflowsPath: require.resolve('./handler-workflows'),
      dataConverter: { payloadConverterPath: require.resolve('./payload-converter') },
    }),
    await Worker.create({
      connection,
      namespace,
      taskQueue: need(args, 'old-task-queue'),
      nexusServices: [olderHandler(log)],
      workflowsPath: require.resolve('./workflows-old'),
      dataConverter: { payloadConverterPath: olderConverter },
    }),
  ];
  const stop = () => workers.forEach((worker) => worker.shutdown());
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  const running = Promise.all(workers.map((worker) => worker.run()));
  process.stdout.write('ready\n');
  await running;
  await connection.close();
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const [mode, ...rest] = process.argv.slice(2);
  const args = parseArgs(rest);
  if (mode === 'caller') await caller(args);
  else if (mode === 'handler') await handler(args);
  else throw new Error(`mode must be caller or handler, not ${mode}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

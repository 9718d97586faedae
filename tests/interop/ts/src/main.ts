// The TypeScript team's program: a worker for the caller workflow, a client
// that runs it, and two standalone Nexus calls from application code (one per
// payload encoding). Prints (and writes to --out) a JSON summary.
//
//   node build/main.js --address HOST:PORT --namespace orders --endpoint EP \
//     --task-queue TQ --customer-id UUID --order-id ID [--out FILE]
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { payloadConverter as jsonFirst } from './payload-converter';
import { payloadConverter as binaryFirst } from './payload-converter-binary';
import { payments, statusName, typeName } from './protos';
import { attempt, CallReport } from './report';
import { paymentService } from './service';
import { CallerSummary, paymentsCallerWorkflow } from './workflows';

interface Args {
  address: string;
  namespace: string;
  endpoint: string;
  taskQueue: string;
  customerId: string;
  orderId: string;
  out?: string;
}

function parseArgs(argv: string[]): Args {
  const values: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i];
    const value = argv[i + 1];
    if (!key.startsWith('--') || value === undefined) throw new Error(`bad arguments near ${key}`);
    values[key.slice(2)] = value;
  }
  const need = (name: string): string => {
    const value = values[name];
    if (!value) throw new Error(`--${name} is required`);
    return value;
  };
  return {
    address: need('address'),
    namespace: need('namespace'),
    endpoint: need('endpoint'),
    taskQueue: need('task-queue'),
    customerId: need('customer-id'),
    orderId: need('order-id'),
    out: values.out,
  };
}

export interface StandaloneReport extends CallReport {
  /** Metadata of the request payload this client's converter produced. */
  requestEncoding?: string;
  requestMessageType?: string;
}

export interface Summary {
  workflowId: string;
  /** Order id of the valid ProcessPayment call (the others append -invalid, -plain, -standalone-json, ...). */
  orderId: string;
  namespace: string;
  taskQueue: string;
  workflow: CallerSummary;
  standaloneJson: StandaloneReport;
  standaloneBinary: StandaloneReport;
  seconds: Record<string, number>;
}

async function standaloneProcessPayment(
  connection: Connection,
  args: Args,
  payloadConverterPath: string,
  orderId: string,
  requestMetadata: (request: unknown) => Record<string, string>,
): Promise<StandaloneReport> {
  const client = new Client({ connection, namespace: args.namespace, dataConverter: { payloadConverterPath } });
  const service = client.nexus.createServiceClient({ endpoint: args.endpoint, service: paymentService });
  const request = payments.v1.ProcessPaymentRequest.create({
    customerId: args.customerId,
    orderId,
    amount: payments.v1.Money.create({ currency: 'EUR', amountMinor: 500 }),
  });
  const report = await attempt(async () => {
    const response = await service.executeOperation('processPayment', request, {
      id: `ts-op-${randomUUID()}`,
      scheduleToCloseTimeout: '60s',
    });
    return {
      resultType: typeName(response),
      result: { transactionId: response.transactionId, status: response.status, statusName: statusName(response.status) },
    };
  });
  const metadata = requestMetadata(request);
  return { ...report, requestEncoding: metadata.encoding, requestMessageType: metadata.messageType };
}

function metadataOf(converter: { toPayload(value: unknown): { metadata?: Record<string, Uint8Array> | null } | undefined }) {
  return (value: unknown): Record<string, string> => {
    const payload = converter.toPayload(value);
    const out: Record<string, string> = {};
    for (const [key, bytes] of Object.entries(payload?.metadata ?? {})) out[key] = Buffer.from(bytes).toString('utf8');
    return out;
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const seconds: Record<string, number> = {};
  const lap = (name: string, since: number) => (seconds[name] = (Date.now() - since) / 1000);

  Runtime.install({ logger: new DefaultLogger('WARN') });
  const dataConverter = { payloadConverterPath: require.resolve('./payload-converter') };

  const nativeConnection = await NativeConnection.connect({ address: args.address });
  const connection = await Connection.connect({ address: args.address });
  try {
    const t0 = Date.now();
    const worker = await Worker.create({
      connection: nativeConnection,
      namespace: args.namespace,
      taskQueue: args.taskQueue,
      workflowsPath: require.resolve('./workflows'),
      dataConverter,
    });
    lap('workerCreate', t0); // mostly webpack bundling the workflow code

    const client = new Client({ connection, namespace: args.namespace, dataConverter });
    const workflowId = `ts-caller-${randomUUID()}`;
    const summary = await worker.runUntil(async () => {
      const t1 = Date.now();
      const workflow = await client.workflow.execute(paymentsCallerWorkflow, {
        workflowId,
        taskQueue: args.taskQueue,
        args: [{ endpoint: args.endpoint, customerId: args.customerId, orderId: args.orderId }],
        workflowExecutionTimeout: '5 minutes',
      });
      lap('workflow', t1);
      const t2 = Date.now();
      const standaloneJson = await standaloneProcessPayment(
        connection,
        args,
        require.resolve('./payload-converter'),
        `${args.orderId}-standalone-json`,
        metadataOf(jsonFirst),
      );
      const standaloneBinary = await standaloneProcessPayment(
        connection,
        args,
        require.resolve('./payload-converter-binary'),
        `${args.orderId}-standalone-binary`,
        metadataOf(binaryFirst),
      );
      lap('standalone', t2);
      return { workflow, standaloneJson, standaloneBinary };
    });
    lap('total', started);
    const out: Summary = {
      workflowId,
      orderId: args.orderId,
      namespace: args.namespace,
      taskQueue: args.taskQueue,
      ...summary,
      seconds,
    };
    const text = JSON.stringify(out, null, 2);
    if (args.out) writeFileSync(args.out, text + '\n');
    process.stdout.write(text + '\n');
  } finally {
    await connection.close();
    await nativeConnection.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

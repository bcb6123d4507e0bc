/**
 * fraud: scores a charge with the external risk model, spoken to over a plain TCP line protocol
 * that no instrumentation sees, hence the manual client span. Logs with pino.
 * Fault `fraud-timeout`: the risk model sometimes never answers; the client gives up after its
 * 2 s timeout and the check approves as if nothing happened: no error, no event, no log.
 */
import { connect } from 'node:net';
import { SpanKind, trace } from '@opentelemetry/api';
import pino from 'pino';
import { createApp, serve } from '../shared/express-app.ts';
import { peerUrl } from '../shared/process-lifecycle.ts';
import { pause } from '../shared/timing.ts';

const log = pino({ base: { service: 'fraud' } });
const tracer = trace.getTracer('tracehound-demo/fraud');
const RISK_MODEL_TIMEOUT_MS = 2_000;

/** One request line, one answer line; undefined when the model does not answer in time. */
function askRiskModel(request: object): Promise<{ score: number } | undefined> {
  const address = new URL(peerUrl('risk-model'));
  return tracer.startActiveSpan(
    'risk-model score',
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'peer.service': 'risk-model',
        'server.address': address.hostname,
        'server.port': Number(address.port),
        'network.transport': 'tcp',
      },
    },
    (span) =>
      new Promise<{ score: number } | undefined>((resolve) => {
        const socket = connect(Number(address.port), address.hostname);
        let buffered = '';
        const finish = (answer: { score: number } | undefined) => {
          clearTimeout(timer);
          socket.destroy();
          span.end();
          resolve(answer);
        };
        // The bug the demo shows: a timeout swallowed without a trace of it.
        const timer = setTimeout(() => finish(undefined), RISK_MODEL_TIMEOUT_MS);
        socket.setEncoding('utf8');
        socket.on('data', (chunk: string) => {
          buffered += chunk;
          const newline = buffered.indexOf('\n');
          if (newline >= 0) finish(JSON.parse(buffered.slice(0, newline)) as { score: number });
        });
        socket.on('error', () => finish(undefined));
        socket.write(`${JSON.stringify(request)}\n`);
      }),
  );
}

const app = createApp();

app.post('/check', async (req, res) => {
  const answer = await askRiskModel(req.body as object);
  await pause(2, 4);
  const decision = answer === undefined || answer.score < 0.95 ? 'approve' : 'review';
  if (answer !== undefined) log.info({ score: answer.score, decision }, 'charge scored');
  res.json({ decision });
});

await serve(app);
log.info('fraud listening');

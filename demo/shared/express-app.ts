import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, trace } from '@opentelemetry/api';
import { getRPCMetadata } from '@opentelemetry/core';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { CUSTOMER_BAGGAGE_KEY, customerFromBaggage } from './customer-baggage.ts';
import { UpstreamError } from './http-client.ts';
import { onStop, reportListening } from './process-lifecycle.ts';

/** Which trace-context format a request arrived with, recorded on the server span. */
export function incomingPropagation(headers: IncomingHttpHeaders): string {
  if (headers.traceparent !== undefined) return 'w3c';
  if (headers.b3 !== undefined || headers['x-b3-traceid'] !== undefined) return 'b3';
  if (headers['uber-trace-id'] !== undefined) return 'jaeger';
  return 'none';
}

/**
 * Puts the baggage's customer and the incoming propagation format on the server span (the HTTP
 * instrumentation keeps it in the context's RPC metadata; the active span here is Express's).
 */
function annotateServerSpan(req: Request, _res: Response, next: NextFunction): void {
  const span = getRPCMetadata(context.active())?.span ?? trace.getActiveSpan();
  span?.setAttribute('demo.propagation', incomingPropagation(req.headers));
  const customer = customerFromBaggage();
  if (customer !== undefined) span?.setAttribute(CUSTOMER_BAGGAGE_KEY, customer);
  next();
}

/** An Express app with JSON bodies and the demo's span annotations. */
export function createApp(): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json());
  app.use(annotateServerSpan);
  return app;
}

function sendError(error: unknown, _req: Request, res: Response, _next: NextFunction): void {
  const status = error instanceof UpstreamError ? 502 : 500;
  res.status(status).json({ error: error instanceof Error ? error.message : String(error) });
}

/**
 * Answers errors as JSON, listens on a free port of 127.0.0.1 and tells the demo command which.
 * The server closes (connections included) when the process stops.
 */
export async function serve(app: Express): Promise<Server> {
  app.use(sendError);
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(0, '127.0.0.1', (error?: Error) =>
      error ? reject(error) : resolve(listening),
    );
  });
  // Keep-alive longer than the callers' pools, so a reused connection is never closed under them.
  server.keepAliveTimeout = 65_000;
  onStop(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  reportListening({ http: (server.address() as AddressInfo).port });
  return server;
}

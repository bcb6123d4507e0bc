import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import { Hono } from 'hono';
import { analysisRoutes } from './api/analysis-routes.ts';
import { errorEnvelope, jaegerRoutes } from './api/jaeger-routes.ts';
import { jaegerV3Routes } from './api/jaeger-v3-routes.ts';
import type { Logger } from './api/logger.ts';
import { bindGrpcServer, createOtlpGrpcServer } from './api/otlp-grpc-server.ts';
import { otlpHttpRoutes } from './api/otlp-http-routes.ts';
import { traceColumnsRoutes } from './api/trace-columns-routes.ts';
import { uiRoutes } from './api/ui-routes.ts';
import { zipkinRoutes } from './api/zipkin-routes.ts';
import { DEFAULT_MEMORY_LIMIT, DuckDbStore } from './store/duckdb/duckdb-store.ts';
import { MemoryStore } from './store/memory/memory-store.ts';
import type { TraceStore } from './store/trace-store.ts';

export const STORAGE_KINDS = ['duckdb', 'memory'] as const;
export type StorageKind = (typeof STORAGE_KINDS)[number];

export interface TracehoundConfig {
  readonly dataDir: string;
  readonly storage: StorageKind;
  readonly host: string;
  /** 0 picks a free port (tests). */
  readonly otlpGrpcPort: number;
  readonly otlpHttpPort: number;
  readonly zipkinPort: number;
  readonly httpPort: number;
  /** Largest request body accepted, compressed or decompressed. */
  readonly maxRequestBytes: number;
  /** Spans waiting to be stored beyond which ingest answers 429 / RESOURCE_EXHAUSTED. */
  readonly maxPendingSpans: number;
  /** DuckDB's memory limit (its buffer pool and the rows waiting for a checkpoint), e.g. 128MB. */
  readonly memoryLimit: string;
}

export const DEFAULT_CONFIG: TracehoundConfig = {
  dataDir: './tracehound-data',
  storage: 'duckdb',
  host: '127.0.0.1',
  otlpGrpcPort: 4317,
  otlpHttpPort: 4318,
  zipkinPort: 9411,
  httpPort: 16686,
  maxRequestBytes: 32 * 1024 * 1024,
  maxPendingSpans: 200_000,
  memoryLimit: DEFAULT_MEMORY_LIMIT,
};

export interface Listener {
  readonly name: string;
  readonly url: string;
  readonly port: number;
}

export interface RunningTracehound {
  readonly store: TraceStore;
  /** What stores the spans, for people: "DuckDB store in ./data, memory limit 122.0 MiB". */
  readonly storage: string;
  readonly listeners: {
    readonly otlpGrpc: Listener;
    readonly otlpHttp: Listener;
    readonly zipkin: Listener;
    readonly http: Listener;
  };
  /** Stops accepting requests, lets those in flight finish, then flushes and closes the store. */
  close(): Promise<void>;
}

/** The composition root: config -> store -> receivers and query API. */
export async function startTracehound(
  config: TracehoundConfig,
  logger: Logger,
): Promise<RunningTracehound> {
  let store: TraceStore;
  let storage: string;
  if (config.storage === 'memory') {
    store = new MemoryStore();
    storage = 'in-memory store';
  } else {
    const duckdb = await DuckDbStore.open({
      dataDir: config.dataDir,
      maxPendingSpans: config.maxPendingSpans,
      memoryLimit: config.memoryLimit,
    });
    store = duckdb;
    storage = `DuckDB store in ${config.dataDir}, memory limit ${duckdb.memoryLimit}`;
  }
  const ingest = { writer: store, maxRequestBytes: config.maxRequestBytes, logger };
  const servers: ServerType[] = [];
  const grpc = createOtlpGrpcServer(ingest);
  try {
    const otlpHttp = await listen(
      otlpHttpRoutes(ingest),
      config.host,
      config.otlpHttpPort,
      servers,
    );
    const zipkin = await listen(zipkinRoutes(ingest), config.host, config.zipkinPort, servers);
    const query = new Hono();
    query.route('/', jaegerV3Routes({ reader: store, logger }));
    query.route('/', jaegerRoutes({ reader: store, logger }));
    query.route('/', analysisRoutes({ reader: store, logger }));
    query.route('/', traceColumnsRoutes({ reader: store, logger }));
    // Last: the web UI answers every path the API does not (index.html for the app's routes).
    query.route('/', uiRoutes({ logger }));
    query.notFound((c) =>
      c.json(errorEnvelope(404, `no route for ${c.req.method} ${c.req.path}`), 404),
    );
    const http = await listen(query, config.host, config.httpPort, servers);
    const grpcPort = await bindGrpcServer(grpc, config.host, config.otlpGrpcPort);
    const hostForUrl = config.host.includes(':') ? `[${config.host}]` : config.host;
    const url = (scheme: string, port: number) => `${scheme}://${hostForUrl}:${port}`;
    return {
      store,
      storage,
      listeners: {
        otlpGrpc: { name: 'OTLP gRPC', url: url('grpc', grpcPort), port: grpcPort },
        otlpHttp: { name: 'OTLP HTTP', url: `${url('http', otlpHttp)}/v1/traces`, port: otlpHttp },
        zipkin: { name: 'Zipkin', url: `${url('http', zipkin)}/api/v2/spans`, port: zipkin },
        http: { name: 'Query API', url: url('http', http), port: http },
      },
      async close() {
        await Promise.all([
          new Promise<void>((resolve) => {
            grpc.tryShutdown(() => resolve());
            setTimeout(() => grpc.forceShutdown(), SHUTDOWN_GRACE_MS).unref();
          }),
          ...servers.map((s) => closeHttpServer(s)),
        ]);
        await store.close();
      },
    };
  } catch (error) {
    grpc.forceShutdown();
    for (const s of servers) s.close();
    await store.close();
    throw error;
  }
}

/** Requests still running this long after shutdown began have their connections cut. */
const SHUTDOWN_GRACE_MS = 10_000;

/**
 * Closes a server: idle keep-alive connections that exporters hold open at once, requests in
 * flight after they are answered (their spans are stored first), stragglers after a grace period.
 */
function closeHttpServer(server: ServerType): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    if ('closeIdleConnections' in server) {
      server.closeIdleConnections();
      setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS).unref();
    }
  });
}

function listen(app: Hono, host: string, port: number, servers: ServerType[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: host, port }, (info: AddressInfo) =>
      resolve(info.port),
    );
    servers.push(server);
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(
              `port ${port} on ${host} is already in use; pick another with its --*-port flag`,
            )
          : error,
      );
    });
  });
}

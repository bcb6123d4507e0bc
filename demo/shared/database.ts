import { type DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { onStop } from './process-lifecycle.ts';

const tracer = trace.getTracer('tracehound-demo/database');

/** The statement's operation and main table, which name its span (`SELECT products`). */
export interface StatementInfo {
  readonly operation: 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE';
  readonly table: string;
}

type Param = string | number | bigint | boolean;

/**
 * A service's own in-memory DuckDB database. No OpenTelemetry instrumentation knows DuckDB, so
 * each query gets a manual client span with the database semantic conventions: `db.system`,
 * `db.name`, `db.statement` (the statement with placeholders, never the values), `db.operation`
 * and `db.sql.table`.
 *
 * @see https://opentelemetry.io/docs/specs/semconv/database/database-spans/
 */
export class DemoDatabase {
  readonly #name: string;
  readonly #instance: DuckDBInstance;
  readonly #idle: DuckDBConnection[] = [];

  private constructor(name: string, instance: DuckDBInstance) {
    this.#name = name;
    this.#instance = instance;
  }

  /** Opens an empty database; one thread, so that a slow query slows its own service only. */
  static async open(name: string): Promise<DemoDatabase> {
    const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
    const database = new DemoDatabase(name, instance);
    onStop(() => database.close());
    return database;
  }

  /** Runs statements without tracing them: schema and seed data, before any request. */
  async setUp(sql: string): Promise<void> {
    await this.#withConnection((connection) => connection.run(sql));
  }

  /** Runs one traced statement and returns its rows as plain objects. */
  async query(
    sql: string,
    params: readonly Param[],
    info: StatementInfo,
  ): Promise<Record<string, DuckDBValue>[]> {
    return tracer.startActiveSpan(
      `${info.operation} ${info.table}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'db.system': 'duckdb',
          'db.name': this.#name,
          'db.statement': sql,
          'db.operation': info.operation,
          'db.sql.table': info.table,
        },
      },
      async (span) => {
        try {
          const reader = await this.#withConnection((connection) =>
            connection.runAndReadAll(sql, [...params]),
          );
          return reader.getRowObjects();
        } catch (error) {
          span.recordException(error as Error);
          span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
          throw error;
        } finally {
          span.end();
        }
      },
    );
  }

  /** A DuckDB connection runs one statement at a time: concurrent requests take their own. */
  async #withConnection<T>(run: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    const connection = this.#idle.pop() ?? (await this.#instance.connect());
    try {
      return await run(connection);
    } finally {
      this.#idle.push(connection);
    }
  }

  close(): void {
    for (const connection of this.#idle.splice(0)) connection.closeSync();
    this.#instance.closeSync();
  }
}

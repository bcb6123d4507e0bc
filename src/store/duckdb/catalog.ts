import { createHash } from 'node:crypto';
import { attributeValueToString } from '../../model/attributes.ts';
import {
  type InstrumentationScope,
  type Resource,
  type SpanKind,
  serviceNameOf,
} from '../../model/span.ts';
import type { AttributeCondition } from '../../query/trace-query.ts';
import { attributesToJson } from '../typed-json.ts';
import { MAX_ATTRIBUTE_KEYS } from './attribute-slots.ts';

export interface StoredOperation {
  readonly service: string;
  readonly name: string;
  readonly kind: SpanKind;
}

interface Entry<V> {
  readonly id: number;
  readonly value: V;
  /** Pending while the commit that first stores the entry runs; null once it is durable. */
  stored: Promise<void> | null;
}

/** Values known by a key, stored under small numbers that are never reused. */
class Dictionary<K, V> {
  readonly byKey = new Map<K, Entry<V>>();
  readonly byId = new Map<number, Entry<V>>();
  #lastId = 0;
  readonly #maxId: number;

  constructor(maxId = 0xffffffff) {
    this.#maxId = maxId;
  }

  load(key: K, id: number, value: V): void {
    const entry = { id, value, stored: null };
    this.byKey.set(key, entry);
    this.byId.set(id, entry);
    this.#lastId = Math.max(this.#lastId, id);
  }

  /** A new entry, or undefined when the ids are used up. */
  add(key: K, value: V, stored: Promise<void>, firstId = 1): Entry<V> | undefined {
    const id = Math.max(this.#lastId + 1, firstId);
    if (id > this.#maxId) return undefined;
    this.#lastId = id;
    const entry = { id, value, stored };
    this.byKey.set(key, entry);
    this.byId.set(id, entry);
    return entry;
  }

  forget(key: K): void {
    const entry = this.byKey.get(key);
    if (!entry) return;
    this.byKey.delete(key);
    this.byId.delete(entry.id);
  }
}

/**
 * What one commit adds to the catalogue: the numbers of what its rows use (new entries are
 * added on first use), the rows to insert in its transaction, and the entries of commits still
 * running that it uses (it must not become durable before them).
 */
export interface CatalogChanges {
  resourceId(resource: Resource): number;
  scopeId(scope: InstrumentationScope): number;
  operationId(service: string, name: string, kind: SpanKind): number;
  /**
   * The number of an attribute key, which is about to be stored in slot `slot`; undefined when
   * the dictionary is full.
   */
  keyIdOf(key: string, slot: number): number | undefined;
  /** Rows per table, complete once the commit's chunks are built. */
  readonly rows: {
    readonly resources: unknown[][];
    readonly scopes: unknown[][];
    readonly operations: unknown[][];
    readonly attribute_keys: unknown[][];
  };
  readonly dependencies: Set<Promise<void>>;
  /** Call once the commit is durable. */
  committed(): void;
  /** Call when the commit was rolled back: its new entries are forgotten. */
  failed(error: unknown): void;
}

/**
 * Resources, scopes, operations (service, span name, kind) and attribute keys: few, repeated on
 * every span, so stored once and kept in memory; spans carry small numbers, which compress to
 * almost nothing. New entries are written in the transaction of the first commit that uses
 * them, and a concurrent commit using such an entry waits for that commit before its own, so no
 * durable span ever names an entry that is not durable.
 */
export class Catalog {
  readonly #resources = new Dictionary<bigint, Resource>();
  readonly #scopes = new Dictionary<bigint, InstrumentationScope>();
  readonly #operations = new Dictionary<string, StoredOperation>();
  readonly #keys = new Dictionary<string, string>(MAX_ATTRIBUTE_KEYS - 1);
  /**
   * Per key number, a bit per slot the key has been stored in. An instrumentation writes its
   * attributes in the same order every time, so a key sits in one slot or two: a search need
   * only look there. Rebuilt from the stored layouts when the store opens.
   */
  readonly #keySlots: number[] = [];

  loadResource(id: number, hash: bigint, resource: Resource): void {
    this.#resources.load(hash, id, resource);
  }

  loadScope(id: number, hash: bigint, scope: InstrumentationScope): void {
    this.#scopes.load(hash, id, scope);
  }

  loadOperation(id: number, operation: StoredOperation): void {
    this.#operations.load(operationKey(operation), id, operation);
  }

  loadAttributeKey(id: number, key: string): void {
    this.#keys.load(key, id, key);
  }

  resource(id: number): Resource | undefined {
    return this.#resources.byId.get(id)?.value;
  }

  scope(id: number): InstrumentationScope | undefined {
    return this.#scopes.byId.get(id)?.value;
  }

  operation(id: number): StoredOperation | undefined {
    return this.#operations.byId.get(id)?.value;
  }

  attributeKey(id: number): string | undefined {
    return this.#keys.byId.get(id)?.value;
  }

  /** The number of a stored attribute key; undefined when no span has had it in a slot. */
  attributeKeyId(key: string): number | undefined {
    return this.#keys.byKey.get(key)?.id;
  }

  /** The slots key number `id` has been stored in, one bit each. */
  attributeKeySlots(id: number): number {
    return this.#keySlots[id] ?? 0;
  }

  /** Records that key number `id` is stored in `slot` (when loading, or before a commit). */
  noteKeySlot(id: number, slot: number): void {
    this.#keySlots[id] = (this.#keySlots[id] ?? 0) | (1 << slot);
  }

  operations(): { id: number; operation: StoredOperation }[] {
    return [...this.#operations.byId.values()].map((e) => ({ id: e.id, operation: e.value }));
  }

  /** Ids of the resources with an attribute whose key and text form match the condition. */
  resourceIdsMatching(condition: AttributeCondition): number[] {
    const ids: number[] = [];
    for (const { id, value } of this.#resources.byId.values()) {
      const match = value.attributes.some(
        (a) => a.key === condition.key && attributeValueToString(a.value) === condition.value,
      );
      if (match) ids.push(id);
    }
    return ids;
  }

  /** Starts the catalogue changes of one commit. */
  begin(): CatalogChanges {
    const rows = { resources: [], scopes: [], operations: [], attribute_keys: [] } as {
      resources: unknown[][];
      scopes: unknown[][];
      operations: unknown[][];
      attribute_keys: unknown[][];
    };
    const dependencies = new Set<Promise<void>>();
    const added: { dictionary: Dictionary<never, unknown>; key: unknown }[] = [];
    let settle!: { resolve: () => void; reject: (error: unknown) => void };
    const stored = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    // Commits that wait on this one learn of a failure from their own; nobody else awaits it.
    stored.catch(() => {});
    const use = <K, V>(
      dictionary: Dictionary<K, V>,
      key: K,
      value: () => V,
      row: (id: number, value: V) => unknown[],
      table: unknown[][],
    ): number | undefined => {
      let entry = dictionary.byKey.get(key);
      if (!entry) {
        const v = value();
        entry = dictionary.add(key, v, stored);
        if (!entry) return undefined;
        added.push({ dictionary: dictionary as unknown as Dictionary<never, unknown>, key });
        table.push(row(entry.id, v));
      } else if (entry.stored !== null && entry.stored !== stored) {
        dependencies.add(entry.stored);
      }
      return entry.id;
    };
    const resourceIds = new Map<Resource, number>();
    const scopeIds = new Map<InstrumentationScope, number>();
    return {
      resourceId: (r) => {
        let id = resourceIds.get(r);
        if (id === undefined) {
          const attributes = attributesToJson(r.attributes);
          const hash = hashOf(attributes, r.droppedAttributesCount, r.schemaUrl);
          id = use(
            this.#resources,
            hash,
            () => r,
            (n) => [n, hash, serviceNameOf(r), attributes, r.droppedAttributesCount, r.schemaUrl],
            rows.resources,
          )!;
          resourceIds.set(r, id);
        }
        return id;
      },
      scopeId: (s) => {
        let id = scopeIds.get(s);
        if (id === undefined) {
          const attributes = attributesToJson(s.attributes);
          const hash = hashOf(s.name, s.version, attributes, s.droppedAttributesCount, s.schemaUrl);
          id = use(
            this.#scopes,
            hash,
            () => s,
            (n) => [n, hash, s.name, s.version, attributes, s.droppedAttributesCount, s.schemaUrl],
            rows.scopes,
          )!;
          scopeIds.set(s, id);
        }
        return id;
      },
      operationId: (service, name, kind) => {
        const operation = { service, name, kind };
        return use(
          this.#operations,
          operationKey(operation),
          () => operation,
          (n, o) => [n, o.service, o.name, o.kind],
          rows.operations,
        )!;
      },
      keyIdOf: (key, slot) => {
        // Most keys are long known: skip the closures of `use`.
        const entry = this.#keys.byKey.get(key);
        const id =
          entry && entry.stored === null
            ? entry.id
            : use(
                this.#keys,
                key,
                () => key,
                (n, k) => [n, k],
                rows.attribute_keys,
              );
        // Noted before the rows are visible, so that a search never misses a slot of the key.
        if (id !== undefined) this.noteKeySlot(id, slot);
        return id;
      },
      rows,
      dependencies,
      committed: () => {
        for (const { dictionary, key } of added) {
          const entry = dictionary.byKey.get(key as never);
          if (entry) entry.stored = null;
        }
        settle.resolve();
      },
      failed: (error) => {
        // What was not committed must be written again by the next commit that uses it.
        for (const { dictionary, key } of added) dictionary.forget(key as never);
        settle.reject(error);
      },
    };
  }
}

function operationKey(operation: StoredOperation): string {
  return `${operation.service}\u0000${operation.kind}\u0000${operation.name}`;
}

/** A 64-bit content hash, so that identical resources (and scopes) are stored once. */
function hashOf(...parts: (string | number)[]): bigint {
  const digest = createHash('sha256').update(parts.join('\u0000')).digest();
  return digest.readBigUInt64BE(0);
}

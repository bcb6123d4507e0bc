import { InvalidInputError } from '../../model/errors.ts';
import type { SpanEvent, SpanLink } from '../../model/span.ts';
import { attributesFromTyped, attributesToTyped } from '../typed-json.ts';

/** The rarely set span fields, kept together as one JSON text in the `extras` column. */
export interface SpanExtras {
  readonly statusMessage: string;
  readonly traceState: string;
  readonly events: readonly SpanEvent[];
  readonly links: readonly SpanLink[];
  readonly droppedAttributesCount: number;
  readonly droppedEventsCount: number;
  readonly droppedLinksCount: number;
}

const NO_EXTRAS: SpanExtras = Object.freeze({
  statusMessage: '',
  traceState: '',
  events: Object.freeze([]) as readonly SpanEvent[],
  links: Object.freeze([]) as readonly SpanLink[],
  droppedAttributesCount: 0,
  droppedEventsCount: 0,
  droppedLinksCount: 0,
});

/**
 * JSON of the extras that differ from their defaults, every field kept exactly (event times as
 * decimal strings, attributes as typed JSON); null when none differs, as for most spans.
 */
export function extrasToJson(span: SpanExtras): string | null {
  if (
    span.statusMessage === '' &&
    span.traceState === '' &&
    span.events.length === 0 &&
    span.links.length === 0 &&
    span.droppedAttributesCount === 0 &&
    span.droppedEventsCount === 0 &&
    span.droppedLinksCount === 0
  ) {
    return null;
  }
  const json: Record<string, unknown> = {};
  if (span.statusMessage !== '') json.m = span.statusMessage;
  if (span.traceState !== '') json.ts = span.traceState;
  if (span.events.length > 0) {
    json.e = span.events.map((e) => ({
      t: e.timeUnixNano.toString(),
      n: e.name,
      a: attributesToTyped(e.attributes),
      d: e.droppedAttributesCount,
    }));
  }
  if (span.links.length > 0) {
    json.l = span.links.map((l) => ({
      t: l.traceId,
      s: l.spanId,
      ts: l.traceState,
      a: attributesToTyped(l.attributes),
      d: l.droppedAttributesCount,
      f: l.flags,
    }));
  }
  if (span.droppedAttributesCount !== 0) json.da = span.droppedAttributesCount;
  if (span.droppedEventsCount !== 0) json.de = span.droppedEventsCount;
  if (span.droppedLinksCount !== 0) json.dl = span.droppedLinksCount;
  return JSON.stringify(json);
}

export function extrasFromJson(text: string | null): SpanExtras {
  if (text === null) return NO_EXTRAS;
  const json: unknown = JSON.parse(text);
  if (typeof json !== 'object' || json === null) {
    throw new InvalidInputError(`stored span extras are not an object: ${text}`);
  }
  const o = json as Record<string, unknown>;
  return {
    statusMessage: typeof o.m === 'string' ? o.m : '',
    traceState: typeof o.ts === 'string' ? o.ts : '',
    events: arrayOf(o.e).map((e) => ({
      timeUnixNano: BigInt(e.t as string),
      name: e.n as string,
      attributes: attributesFromTyped(e.a),
      droppedAttributesCount: e.d as number,
    })),
    links: arrayOf(o.l).map((l) => ({
      traceId: l.t as string,
      spanId: l.s as string,
      traceState: l.ts as string,
      attributes: attributesFromTyped(l.a),
      droppedAttributesCount: l.d as number,
      flags: l.f as number,
    })),
    droppedAttributesCount: typeof o.da === 'number' ? o.da : 0,
    droppedEventsCount: typeof o.de === 'number' ? o.de : 0,
    droppedLinksCount: typeof o.dl === 'number' ? o.dl : 0,
  };
}

function arrayOf(value: unknown): Record<string, unknown>[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    throw new InvalidInputError(`stored span extras hold ${JSON.stringify(value)}, not an array`);
  }
  return value as Record<string, unknown>[];
}

import type { Attribute } from '../../src/model/attributes.ts';
import {
  type InstrumentationScope,
  type Resource,
  type Span,
  SpanKind,
  StatusCode,
} from '../../src/model/span.ts';

let counter = 0;

/** A fresh random-looking id of `bytes` bytes as hex (never all zero). */
export function randomId(bytes: 8 | 16): string {
  counter++;
  let hex = '';
  for (let i = 0; i < bytes; i++)
    hex += Math.floor(Math.random() * 256)
      .toString(16)
      .padStart(2, '0');
  return `${hex.slice(0, -4)}${(counter % 0xffff || 1).toString(16).padStart(4, '0')}`;
}

export function makeResource(service: string, extra: Attribute[] = []): Resource {
  return {
    attributes: [{ key: 'service.name', value: service }, ...extra],
    droppedAttributesCount: 0,
    schemaUrl: '',
  };
}

export const TEST_SCOPE: InstrumentationScope = {
  name: 'tracehound-test',
  version: '1.0.0',
  attributes: [],
  droppedAttributesCount: 0,
  schemaUrl: '',
};

export const BASE_TIME_NS = 1_763_700_000_000_000_000n;
export const MS = 1_000_000n;

/** A span with sensible defaults; override what the test is about. */
export function makeSpan(overrides: Partial<Span> & { service?: string } = {}): Span {
  const { service, ...rest } = overrides;
  const start = rest.startTimeUnixNano ?? BASE_TIME_NS;
  return {
    traceId: randomId(16),
    spanId: randomId(8),
    parentSpanId: '',
    traceState: '',
    flags: 1,
    name: 'GET /',
    kind: SpanKind.server,
    startTimeUnixNano: start,
    endTimeUnixNano: start + 10n * MS,
    attributes: [],
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    status: { code: StatusCode.unset, message: '' },
    resource: makeResource(service ?? 'frontend'),
    scope: TEST_SCOPE,
    ...rest,
  };
}

/** Sorts spans by span id so that two reads compare regardless of storage order. */
export function bySpanId(spans: readonly Span[]): Span[] {
  return [...spans].sort((a, b) => a.spanId.localeCompare(b.spanId));
}

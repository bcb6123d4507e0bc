import { useState } from 'react';
import type { Attribute } from '../../model/attributes.ts';
import { formatDurationNs, formatTimestampMs } from '../format.ts';
import { attributeRows, spanKindName, statusText } from '../span-fields.ts';
import type { TraceView } from '../trace-view.ts';
import { ServiceChip } from './ServiceChip.tsx';

/** Copies text, with the old execCommand route for pages the Clipboard API refuses. */
async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement('textarea');
    area.value = text;
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.append(area);
    area.select();
    const ok = document.execCommand('copy');
    area.remove();
    return ok;
  }
}

export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="button small"
      onClick={async () => {
        if (await copyText(text)) {
          setCopied(true);
          setTimeout(() => setCopied(false), 1500);
        }
      }}
    >
      {copied ? 'Copied' : label}
    </button>
  );
}

function AttributeTable({
  attributes,
  empty,
}: {
  attributes: readonly Attribute[];
  empty: string;
}) {
  if (attributes.length === 0) return <div className="muted">{empty}</div>;
  return (
    <table className="attr-table">
      <tbody>
        {attributeRows(attributes).map((row, i) => (
          // Keys may repeat in OTLP, so the position is part of the key.
          // biome-ignore lint/suspicious/noArrayIndexKey: see above.
          <tr key={`${row.key}:${i}`}>
            <td className="key">{row.key}</td>
            <td className="value">
              {row.text === '' ? <span className="muted">(empty)</span> : row.text}
            </td>
            <td className="type">{row.type}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Everything about one span: timing, status, attributes by origin, events, links. */
export function SpanDetails({
  view,
  index,
  selfTimeNs,
  onClose,
  onSelectSpan,
  onFollowLink,
}: {
  view: TraceView;
  index: number;
  selfTimeNs: number;
  onClose: () => void;
  onSelectSpan: (spanId: string) => void;
  onFollowLink: (traceId: string, spanId: string) => void;
}) {
  const vs = view.spans[index];
  if (vs === undefined) return null;
  const { span } = vs;
  const parent = vs.parent >= 0 ? view.spans[vs.parent] : undefined;
  const startMs = Number(span.startTimeUnixNano / 1_000_000n);
  return (
    <aside
      className="details"
      aria-label="Span details"
      data-testid="span-details"
      data-span-id={span.spanId}
    >
      <div className="details-head">
        <h3>{span.name}</h3>
        <ServiceChip service={vs.service} />
        {vs.isError && (
          <span className="badge error" style={{ marginLeft: 6 }}>
            error
          </span>
        )}
        <button
          type="button"
          className="button small ghost close"
          onClick={onClose}
          aria-label="Close details"
        >
          ✕
        </button>
      </div>
      <section>
        <dl className="kv">
          <dt>Service</dt>
          <dd>{vs.service}</dd>
          <dt>Operation</dt>
          <dd>{span.name}</dd>
          <dt>Kind</dt>
          <dd>{spanKindName(span)}</dd>
          <dt>Start</dt>
          <dd>
            +{formatDurationNs(vs.startNs)}{' '}
            <span className="muted">({formatTimestampMs(startMs)})</span>
          </dd>
          <dt>Duration</dt>
          <dd>{formatDurationNs(vs.durationNs)}</dd>
          <dt>Self time</dt>
          <dd>{formatDurationNs(selfTimeNs)}</dd>
          <dt>Status</dt>
          <dd style={vs.isError ? { color: 'var(--error)' } : undefined}>{statusText(span)}</dd>
          <dt>Span id</dt>
          <dd className="copy-row">
            <code data-testid="span-id">{span.spanId}</code>
            <CopyButton text={span.spanId} />
          </dd>
          <dt>Parent</dt>
          <dd>
            {parent !== undefined ? (
              <button
                type="button"
                className="button small ghost mono"
                onClick={() => onSelectSpan(parent.span.spanId)}
              >
                {parent.span.name} ({parent.span.spanId})
              </button>
            ) : span.parentSpanId === '' ? (
              <span className="muted">none (root span)</span>
            ) : (
              <span>
                <code>{span.parentSpanId}</code> <span className="muted">not in this trace</span>
              </span>
            )}
          </dd>
          {span.traceState !== '' && (
            <>
              <dt>Trace state</dt>
              <dd className="mono">{span.traceState}</dd>
            </>
          )}
        </dl>
      </section>
      <section>
        <h4>Span attributes</h4>
        <AttributeTable attributes={span.attributes} empty="No attributes" />
        {span.droppedAttributesCount > 0 && (
          <div className="muted">{span.droppedAttributesCount} dropped</div>
        )}
      </section>
      <section>
        <h4>Resource</h4>
        <AttributeTable attributes={span.resource.attributes} empty="No resource attributes" />
      </section>
      <section>
        <h4>Scope</h4>
        <dl className="kv" style={{ marginBottom: 6 }}>
          <dt>Name</dt>
          <dd className="mono">{span.scope.name || <span className="muted">(none)</span>}</dd>
          {span.scope.version !== '' && (
            <>
              <dt>Version</dt>
              <dd className="mono">{span.scope.version}</dd>
            </>
          )}
        </dl>
        {span.scope.attributes.length > 0 && (
          <AttributeTable attributes={span.scope.attributes} empty="" />
        )}
      </section>
      <section>
        <h4>Events ({span.events.length})</h4>
        {span.events.length === 0 && <div className="muted">No events</div>}
        {span.events.map((event, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: events have no id and may repeat.
          <div key={i} className="event">
            <div className="event-head">
              <span className="offset">
                +{formatDurationNs(Number(event.timeUnixNano - span.startTimeUnixNano))}
              </span>
              <strong>{event.name}</strong>
            </div>
            {event.attributes.length > 0 && (
              <AttributeTable attributes={event.attributes} empty="" />
            )}
          </div>
        ))}
      </section>
      <section>
        <h4>Links ({span.links.length})</h4>
        {span.links.length === 0 && <div className="muted">No links</div>}
        {span.links.map((link) => (
          <div key={`${link.traceId}:${link.spanId}`} className="event">
            <button
              type="button"
              className="button small"
              onClick={() => onFollowLink(link.traceId, link.spanId)}
            >
              {link.traceId === span.traceId ? 'Span' : 'Trace'}{' '}
              <code>
                {link.traceId.slice(0, 8)}…/{link.spanId}
              </code>
            </button>
            {link.attributes.length > 0 && <AttributeTable attributes={link.attributes} empty="" />}
          </div>
        ))}
      </section>
    </aside>
  );
}

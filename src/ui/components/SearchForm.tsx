import { type FormEvent, useState } from 'react';
import { getOperations } from '../api-client.ts';
import {
  isDurationText,
  LOOKBACK_LABELS,
  LOOKBACKS,
  type Lookback,
  MAX_LIMIT,
  parseTags,
  type SearchQuery,
} from '../search-query.ts';
import { useAsync } from '../use-async.ts';

const pad = (n: number) => String(n).padStart(2, '0');

/** Milliseconds to the value of a `datetime-local` input (local time, minutes). */
function toLocalInput(ms: number | null): string {
  if (ms === null) return '';
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function fromLocalInput(text: string): number | null {
  if (text === '') return null;
  const ms = new Date(text).getTime();
  return Number.isNaN(ms) ? null : ms;
}

export function SearchForm({
  query,
  services,
  onSubmit,
}: {
  query: SearchQuery;
  services: readonly string[];
  onSubmit: (query: SearchQuery) => void;
}) {
  const [draft, setDraft] = useState(query);
  const [limitText, setLimitText] = useState(String(query.limit));
  const operations = useAsync(
    async (signal) => (draft.service === '' ? [] : getOperations(draft.service, signal)),
    [draft.service],
  );
  const set = <K extends keyof SearchQuery>(key: K, value: SearchQuery[K]) =>
    setDraft((d) => ({ ...d, [key]: value }));

  const tags = parseTags(draft.tags);
  const minOk = isDurationText(draft.minDuration);
  const maxOk = isDurationText(draft.maxDuration);
  const limit = Number(limitText);
  const limitOk = Number.isInteger(limit) && limit >= 1 && limit <= MAX_LIMIT;
  const valid = tags.ok && minOk && maxOk && limitOk;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!valid) return;
    const next: SearchQuery =
      draft.lookback === 'custom'
        ? {
            ...draft,
            limit,
            endMs: draft.endMs ?? Date.now(),
            startMs: draft.startMs ?? (draft.endMs ?? Date.now()) - 3_600_000,
          }
        : { ...draft, limit, startMs: null, endMs: null };
    onSubmit(next);
  };

  const operationNames =
    operations.status === 'ok' ? [...new Set(operations.value.map((o) => o.name))] : [];
  const serviceOptions =
    draft.service !== '' && !services.includes(draft.service)
      ? [draft.service, ...services]
      : services;

  return (
    <form onSubmit={submit} aria-label="Search">
      <div className="field">
        <label htmlFor="service">Service</label>
        <select
          id="service"
          className="input"
          value={draft.service}
          onChange={(event) =>
            setDraft((d) => ({ ...d, service: event.target.value, operation: '' }))
          }
        >
          <option value="">All services</option>
          {serviceOptions.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="operation">Operation</label>
        {draft.service === '' ? (
          <input
            id="operation"
            className="input"
            placeholder="Any operation, e.g. GET /cart"
            value={draft.operation}
            onChange={(event) => set('operation', event.target.value)}
          />
        ) : (
          <select
            id="operation"
            className="input"
            value={draft.operation}
            onChange={(event) => set('operation', event.target.value)}
          >
            <option value="">All operations</option>
            {draft.operation !== '' && !operationNames.includes(draft.operation) && (
              <option value={draft.operation}>{draft.operation}</option>
            )}
            {operationNames.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        )}
      </div>
      <div className="field">
        <label htmlFor="tags">Tags</label>
        <input
          id="tags"
          className={`input mono${tags.ok ? '' : ' invalid'}`}
          placeholder="http.status_code=500 error=true"
          value={draft.tags}
          onChange={(event) => set('tags', event.target.value)}
        />
        {tags.ok ? (
          <span className="hint">key=value, separated by spaces; quote values with spaces</span>
        ) : (
          <span className="field-error">{tags.error}</span>
        )}
      </div>
      <div className="field-row">
        <div className="field">
          <label htmlFor="min-duration">Min duration</label>
          <input
            id="min-duration"
            className={`input${minOk ? '' : ' invalid'}`}
            placeholder="100ms"
            value={draft.minDuration}
            onChange={(event) => set('minDuration', event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="max-duration">Max duration</label>
          <input
            id="max-duration"
            className={`input${maxOk ? '' : ' invalid'}`}
            placeholder="2s"
            value={draft.maxDuration}
            onChange={(event) => set('maxDuration', event.target.value)}
          />
        </div>
      </div>
      {!(minOk && maxOk) && (
        <div className="field">
          <span className="field-error">Durations look like 150ms, 1.5s or 2m</span>
        </div>
      )}
      <div className="field">
        <label htmlFor="lookback">Time range</label>
        <select
          id="lookback"
          className="input"
          value={draft.lookback}
          onChange={(event) => set('lookback', event.target.value as Lookback)}
        >
          {LOOKBACKS.map((l) => (
            <option key={l} value={l}>
              {LOOKBACK_LABELS[l]}
            </option>
          ))}
        </select>
      </div>
      {draft.lookback === 'custom' && (
        <div className="field-row">
          <div className="field">
            <label htmlFor="start">From</label>
            <input
              id="start"
              type="datetime-local"
              className="input"
              value={toLocalInput(draft.startMs ?? Date.now() - 3_600_000)}
              onChange={(event) => set('startMs', fromLocalInput(event.target.value))}
            />
          </div>
          <div className="field">
            <label htmlFor="end">To</label>
            <input
              id="end"
              type="datetime-local"
              className="input"
              value={toLocalInput(draft.endMs ?? Date.now())}
              onChange={(event) => set('endMs', fromLocalInput(event.target.value))}
            />
          </div>
        </div>
      )}
      <div className="field">
        <label htmlFor="limit">Limit</label>
        <input
          id="limit"
          type="number"
          min={1}
          max={MAX_LIMIT}
          className={`input${limitOk ? '' : ' invalid'}`}
          value={limitText}
          onChange={(event) => setLimitText(event.target.value)}
        />
      </div>
      <button
        type="submit"
        className="button primary"
        style={{ width: '100%', justifyContent: 'center' }}
        disabled={!valid}
      >
        Find traces
      </button>
    </form>
  );
}

import { type DragEvent, type FormEvent, useCallback, useRef, useState } from 'react';
import { normaliseTraceId } from '../model/span.ts';
import { Link } from './components/Link.tsx';
import { EmptyState, ErrorBanner } from './components/States.tsx';
import { setOpenedFile } from './local-traces.ts';
import { navigate, useLocationKey } from './navigation.ts';
import { FilePage } from './pages/FilePage.tsx';
import { SearchPage } from './pages/SearchPage.tsx';
import { ServiceMapPage } from './pages/ServiceMapPage.tsx';
import { TracePage } from './pages/TracePage.tsx';
import { parseRoute, traceUrl } from './routes.ts';
import { parseTraceFile } from './trace-file.ts';

export function App() {
  const locationKey = useLocationKey();
  const url = new URL(locationKey, 'http://ui');
  const route = parseRoute(url.pathname, url.search);
  const [notice, setNotice] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const dragDepth = useRef(0);

  const openFile = useCallback(async (file: File) => {
    setNotice(null);
    const result = parseTraceFile(await file.text());
    if (!result.ok) {
      setNotice(`${file.name}: ${result.error}`);
      return;
    }
    const opened = setOpenedFile(file.name, result.spans, result.problems);
    const only = opened.traces.length === 1 ? opened.traces[0]?.[0]?.traceId : undefined;
    navigate(only === undefined ? '/file' : traceUrl(only, { fromFile: true }));
  }, []);

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    dragDepth.current = 0;
    setDragging(false);
    const file = event.dataTransfer.files[0];
    if (file) void openFile(file);
  };

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: dropping a file anywhere opens it; the header button does the same for keyboards.
    <div
      className="app"
      onDragEnter={(event) => {
        if (!event.dataTransfer.types.includes('Files')) return;
        dragDepth.current++;
        setDragging(true);
      }}
      onDragLeave={() => {
        dragDepth.current = Math.max(0, dragDepth.current - 1);
        if (dragDepth.current === 0) setDragging(false);
      }}
      onDragOver={(event) => event.preventDefault()}
      onDrop={onDrop}
    >
      <TopBar page={route.page} onOpenFile={openFile} />
      {notice && (
        <div className="notice">
          <ErrorBanner
            title="Could not open the file"
            error={notice}
            onDismiss={() => setNotice(null)}
          />
        </div>
      )}
      <main className="main">
        {route.page === 'search' && <SearchPage params={route.params} />}
        {route.page === 'trace' && (
          <TracePage
            key={`${route.traceId}:${route.fromFile}`}
            traceId={route.traceId}
            spanId={route.spanId}
            fromFile={route.fromFile}
          />
        )}
        {route.page === 'map' && <ServiceMapPage params={route.params} />}
        {route.page === 'file' && <FilePage />}
        {route.page === 'not-found' && (
          <EmptyState icon="compass" title="No page here">
            <p>
              <code>{route.path}</code> is not a Tracehound page.{' '}
              <Link href="/search">Search traces</Link> or open the{' '}
              <Link href="/map">service map</Link>.
            </p>
          </EmptyState>
        )}
      </main>
      {dragging && <div className="drop-overlay">Drop an OTLP JSON file to view its traces</div>}
    </div>
  );
}

function TopBar({ page, onOpenFile }: { page: string; onOpenFile: (file: File) => void }) {
  const fileInput = useRef<HTMLInputElement>(null);
  const [lookup, setLookup] = useState('');
  const [lookupError, setLookupError] = useState(false);

  const goToTrace = (event: FormEvent) => {
    event.preventDefault();
    const traceId = normaliseTraceId(lookup);
    if (traceId === null) {
      setLookupError(true);
      return;
    }
    setLookupError(false);
    setLookup('');
    navigate(traceUrl(traceId));
  };

  return (
    <header className="topbar">
      <Link href="/search" className="brand">
        <span className="brand-mark" aria-hidden="true">
          ▤
        </span>
        Tracehound
      </Link>
      <nav className="nav">
        <Link href="/search" className={page === 'search' ? 'active' : ''}>
          Search
        </Link>
        <Link href="/map" className={page === 'map' ? 'active' : ''}>
          Service map
        </Link>
      </nav>
      <div className="topbar-right">
        <form className="trace-lookup" onSubmit={goToTrace}>
          <input
            className={`input mono${lookupError ? ' invalid' : ''}`}
            placeholder="Go to trace id…"
            aria-label="Trace id"
            title={
              lookupError ? 'A trace id is up to 32 hexadecimal digits' : 'Open a trace by its id'
            }
            value={lookup}
            onChange={(event) => {
              setLookup(event.target.value);
              setLookupError(false);
            }}
          />
        </form>
        <button type="button" className="button" onClick={() => fileInput.current?.click()}>
          Open file
        </button>
        <input
          ref={fileInput}
          type="file"
          accept=".json,.jsonl,application/json"
          hidden
          data-testid="open-file"
          onChange={(event) => {
            const file = event.target.files?.[0];
            event.target.value = '';
            if (file) onOpenFile(file);
          }}
        />
      </div>
    </header>
  );
}

import { useMemo } from 'react';
import { getDependencies, getOperations } from '../api-client.ts';
import { Link } from '../components/Link.tsx';
import { ServiceDot } from '../components/ServiceChip.tsx';
import { EmptyState, ErrorBanner, Loading } from '../components/States.tsx';
import { formatPercent, plural } from '../format.ts';
import { navigate } from '../navigation.ts';
import { DEFAULT_QUERY, formatSearchQuery } from '../search-query.ts';
import { serviceColor } from '../service-colors.ts';
import { layoutServiceMap, type MapEdge, type ServiceMap } from '../service-map-layout.ts';
import { useAsync } from '../use-async.ts';

const WINDOWS = [
  { id: '15m', label: 'Last 15 minutes', ms: 15 * 60_000 },
  { id: '1h', label: 'Last hour', ms: 3_600_000 },
  { id: '6h', label: 'Last 6 hours', ms: 6 * 3_600_000 },
  { id: '24h', label: 'Last 24 hours', ms: 24 * 3_600_000 },
  { id: '7d', label: 'Last 7 days', ms: 7 * 24 * 3_600_000 },
] as const;

function mapUrl(window: string, service: string | null): string {
  const params = new URLSearchParams();
  if (window !== '1h') params.set('window', window);
  if (service !== null) params.set('service', service);
  const query = params.toString();
  return query === '' ? '/map' : `/map?${query}`;
}

/** Services as nodes and their calls as edges (count and error rate) over a time window. */
export function ServiceMapPage({ params }: { params: URLSearchParams }) {
  const windowId = WINDOWS.find((w) => w.id === params.get('window'))?.id ?? '1h';
  const selected = params.get('service');
  const lookbackMs = WINDOWS.find((w) => w.id === windowId)!.ms;
  const links = useAsync((signal) => getDependencies(Date.now(), lookbackMs, signal), [lookbackMs]);
  const map = useMemo(
    () => (links.status === 'ok' ? layoutServiceMap(links.value) : null),
    [links],
  );

  return (
    <div className="map-page">
      <div className="map-main">
        <div className="map-toolbar">
          <h2>Service map</h2>
          <select
            className="input"
            style={{ width: 'auto' }}
            aria-label="Time window"
            value={windowId}
            onChange={(event) => navigate(mapUrl(event.target.value, selected))}
          >
            {WINDOWS.map((w) => (
              <option key={w.id} value={w.id}>
                {w.label}
              </option>
            ))}
          </select>
          {map !== null && map.nodes.length > 0 && (
            <span className="muted">
              {plural(map.nodes.length, 'service')}, {plural(map.edges.length, 'connection')} ·
              click a service for its operations
            </span>
          )}
        </div>
        <div className="map-canvas">
          {links.status === 'loading' && <Loading label="Loading the service map…" />}
          {links.status === 'error' && (
            <ErrorBanner title="Could not load the service map" error={links.error} />
          )}
          {map !== null && map.nodes.length === 0 && (
            <EmptyState icon="graph" title="No calls between services in this window">
              <p>
                The map draws an edge when a span of one service has a child span in another. Send
                traces from at least two instrumented services, or pick a longer window.
              </p>
              <p className="muted">
                Set <code>OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318</code> in each service.
              </p>
            </EmptyState>
          )}
          {map !== null && map.nodes.length > 0 && (
            <MapDrawing
              map={map}
              selected={selected}
              onSelect={(s) => navigate(mapUrl(windowId, s), { replace: true })}
            />
          )}
        </div>
      </div>
      {selected !== null && map !== null && (
        <ServicePanel
          service={selected}
          map={map}
          onClose={() => navigate(mapUrl(windowId, null), { replace: true })}
        />
      )}
    </div>
  );
}

function edgePath(edge: MapEdge): string {
  const [first, ...rest] = edge.points;
  if (first === undefined) return '';
  // dagre's points run through the bend; a smooth curve through them reads better than corners.
  if (rest.length === 2) {
    return `M${first.x},${first.y} Q${rest[0]!.x},${rest[0]!.y} ${rest[1]!.x},${rest[1]!.y}`;
  }
  return `M${first.x},${first.y} ${rest.map((p) => `L${p.x},${p.y}`).join(' ')}`;
}

function MapDrawing({
  map,
  selected,
  onSelect,
}: {
  map: ServiceMap;
  selected: string | null;
  onSelect: (service: string) => void;
}) {
  const maxCalls = Math.max(...map.edges.map((e) => e.callCount), 1);
  return (
    <svg
      width={map.width}
      height={map.height}
      viewBox={`0 0 ${map.width} ${map.height}`}
      role="img"
      aria-label="Service map"
      data-testid="service-map"
    >
      <defs>
        <ArrowMarker id="arrow" fill="var(--text-faint)" />
        <ArrowMarker id="arrow-error" fill="var(--error)" />
      </defs>
      {map.edges.map((edge) => {
        const errors = edge.errorCount > 0;
        const label = `${plural(edge.callCount, 'call')}${errors ? ` · ${formatPercent(edge.errorCount / edge.callCount)} errors` : ''}`;
        const labelWidth = label.length * 6.2 + 14;
        return (
          <g
            key={`${edge.from}->${edge.to}`}
            className={`map-edge${errors ? ' has-errors' : ''}`}
            data-edge={`${edge.from}->${edge.to}`}
          >
            <path
              d={edgePath(edge)}
              strokeWidth={1.2 + (2.5 * Math.log1p(edge.callCount)) / Math.log1p(maxCalls)}
              markerEnd={errors ? 'url(#arrow-error)' : 'url(#arrow)'}
            />
            <g className="map-edge-label" transform={`translate(${edge.labelX},${edge.labelY})`}>
              <rect x={-labelWidth / 2} y={-9} width={labelWidth} height={18} rx={9} />
              <text textAnchor="middle" dy="0.35em">
                {label}
              </text>
            </g>
          </g>
        );
      })}
      {map.nodes.map((node) => (
        // biome-ignore lint/a11y/useSemanticElements: an SVG group cannot be a <button>.
        <g
          key={node.name}
          className={`map-node${node.name === selected ? ' selected' : ''}`}
          transform={`translate(${node.x - node.width / 2},${node.y - node.height / 2})`}
          onClick={() => onSelect(node.name)}
          onKeyDown={(event) => {
            if (event.key === 'Enter') onSelect(node.name);
          }}
          role="button"
          tabIndex={0}
          data-service={node.name}
        >
          <rect className="body" width={node.width} height={node.height} rx={8} />
          <rect
            width={5}
            height={node.height - 12}
            x={7}
            y={6}
            rx={2}
            fill={serviceColor(node.name)}
          />
          <text className="name" x={20} y={19}>
            {node.name}
          </text>
          <text className="sub" x={20} y={34}>
            {node.callsIn > 0 ? `${plural(node.callsIn, 'call')} in` : 'entry point'}
          </text>
        </g>
      ))}
    </svg>
  );
}

function ServicePanel({
  service,
  map,
  onClose,
}: {
  service: string;
  map: ServiceMap;
  onClose: () => void;
}) {
  const operations = useAsync((signal) => getOperations(service, signal), [service]);
  const calls = map.edges.filter((e) => e.to === service);
  const callees = map.edges.filter((e) => e.from === service);
  const searchUrl = (operation = '') =>
    `/search?${formatSearchQuery({ ...DEFAULT_QUERY, service, operation })}`;
  return (
    <aside className="map-side" data-testid="service-panel">
      <h3>
        <ServiceDot service={service} />
        {service}
        <button
          type="button"
          className="button small ghost"
          style={{ marginLeft: 'auto' }}
          onClick={onClose}
          aria-label="Close"
        >
          ✕
        </button>
      </h3>
      <p className="muted" style={{ marginTop: 0 }}>
        Called by {calls.map((e) => e.from).join(', ') || 'no one (an entry point)'}; calls{' '}
        {callees.map((e) => e.to).join(', ') || 'no other service'}.
      </p>
      <Link href={searchUrl()} className="button primary">
        Search traces of {service}
      </Link>
      <h4 style={{ margin: '18px 0 0' }}>Operations</h4>
      {operations.status === 'loading' && <Loading label="Loading operations…" />}
      {operations.status === 'error' && (
        <ErrorBanner title="Could not load operations" error={operations.error} />
      )}
      {operations.status === 'ok' && (
        <ul className="op-list">
          {operations.value.length === 0 && <li className="muted">No operations recorded</li>}
          {operations.value.map((op) => (
            <li key={`${op.name}:${op.spanKind}`}>
              <Link href={searchUrl(op.name)}>{op.name}</Link>
              <span className="badge kind">{op.spanKind || 'unspecified'}</span>
            </li>
          ))}
        </ul>
      )}
    </aside>
  );
}

/** The arrowhead at the callee's end of an edge. */
function ArrowMarker({ id, fill }: { id: string; fill: string }) {
  return (
    <marker
      id={id}
      viewBox="0 0 10 10"
      refX="9"
      refY="5"
      markerUnits="userSpaceOnUse"
      markerWidth="10"
      markerHeight="10"
      orient="auto-start-reverse"
    >
      <path d="M0,0 L10,5 L0,10 z" fill={fill} />
    </marker>
  );
}

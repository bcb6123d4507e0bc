import { serviceColor } from '../service-colors.ts';

export function ServiceDot({ service }: { service: string }) {
  return (
    <span
      className="service-dot"
      style={{ background: serviceColor(service) }}
      aria-hidden="true"
    />
  );
}

export function ServiceChip({ service, count }: { service: string; count?: number }) {
  return (
    <span className="service-chip" title={service}>
      <ServiceDot service={service} />
      {service}
      {count !== undefined && <span className="muted">{count}</span>}
    </span>
  );
}

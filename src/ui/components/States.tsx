import type { ReactNode } from 'react';
import { Icon, type IconName } from './Icons.tsx';

export function Loading({ label }: { label: string }) {
  return (
    <div className="loading" role="status">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

export function EmptyState({
  icon,
  title,
  children,
}: {
  icon?: IconName;
  title: string;
  children?: ReactNode;
}) {
  return (
    <div className="empty-state" data-testid="empty-state">
      {icon && (
        <div className="empty-icon">
          <Icon name={icon} />
        </div>
      )}
      <h2>{title}</h2>
      {children}
    </div>
  );
}

export function ErrorBanner({
  title,
  error,
  onDismiss,
}: {
  title: string;
  error: Error | string;
  onDismiss?: () => void;
}) {
  return (
    <div className="error-banner" role="alert">
      <div>
        <strong>{title}</strong>
        <div>{typeof error === 'string' ? error : error.message}</div>
      </div>
      {onDismiss && (
        <button type="button" className="button small ghost dismiss" onClick={onDismiss}>
          Dismiss
        </button>
      )}
    </div>
  );
}

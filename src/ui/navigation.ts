import { useSyncExternalStore } from 'react';

/** History-based navigation: no router library, just pushState and a change event. */
const CHANGE = 'tracehound:navigate';

export function navigate(url: string, options: { replace?: boolean } = {}): void {
  if (url === `${location.pathname}${location.search}`) return;
  if (options.replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  window.dispatchEvent(new Event(CHANGE));
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(CHANGE, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(CHANGE, onChange);
  };
}

/** The current path and query string (`/trace/abc?span=1`); re-renders on navigation. */
export function useLocationKey(): string {
  return useSyncExternalStore(subscribe, () => `${location.pathname}${location.search}`);
}

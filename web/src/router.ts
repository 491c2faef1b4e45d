/**
 * Client-side routes on the History API. The server answers index.html for each of these paths, so a
 * reload or a shared link opens the same page. Nothing secret goes into a URL (the key never does).
 */

import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { page: 'jobs' }
  | { page: 'new' }
  | { page: 'job'; id: string }
  | { page: 'edit'; id: string }
  | { page: 'run'; id: string }
  | { page: 'cluster' }
  | { page: 'notFound'; path: string };

const decode = (s: string): string => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

export function parseRoute(path: string): Route {
  const p = path.replace(/\/+$/, '') || '/';
  if (p === '/' || p === '/jobs') return { page: 'jobs' };
  if (p === '/jobs/new') return { page: 'new' };
  if (p === '/cluster') return { page: 'cluster' };
  let m = /^\/jobs\/([^/]+)\/edit$/.exec(p);
  if (m?.[1]) return { page: 'edit', id: decode(m[1]) };
  m = /^\/jobs\/([^/]+)$/.exec(p);
  if (m?.[1]) return { page: 'job', id: decode(m[1]) };
  m = /^\/runs\/([^/]+)$/.exec(p);
  if (m?.[1]) return { page: 'run', id: decode(m[1]) };
  return { page: 'notFound', path: p };
}

export const paths = {
  jobs: (): string => '/jobs',
  newJob: (): string => '/jobs/new',
  job: (id: string): string => `/jobs/${encodeURIComponent(id)}`,
  edit: (id: string): string => `/jobs/${encodeURIComponent(id)}/edit`,
  run: (id: string): string => `/runs/${encodeURIComponent(id)}`,
  cluster: (): string => '/cluster',
};

const routeListeners = new Set<() => void>();

/** Goes to `path` without reloading (pushes history unless `replace`). */
export function navigate(path: string, replace = false): void {
  if (path === location.pathname + location.search) return;
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  for (const l of routeListeners) l();
  if (!replace) window.scrollTo(0, 0);
}

/** The current location; components re-render when it changes. */
export function useLocation(): { path: string; search: URLSearchParams } {
  const [, setTick] = useState(0);
  useEffect(() => {
    const update = (): void => setTick((t) => t + 1);
    routeListeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      routeListeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return { path: location.pathname, search: new URLSearchParams(location.search) };
}

/** Follows a same-origin link in place (a plain click only: modified clicks open tabs as usual). */
export function onLinkClick(e: MouseEvent, href: string): void {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  navigate(href);
}

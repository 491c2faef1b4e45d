/** Small hooks: loading a resource (kept on screen while it reloads), debounced values, notices. */

import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { messageOf } from './api';

export interface Resource<T> {
  data: T | null;
  error: string | null;
  loading: boolean;
  /** Loads again; the current data stays on screen until the new answer arrives. */
  reload: () => void;
}

/**
 * Loads `load()` when `deps` change (an answer for superseded deps is dropped). A reload while a load
 * is under way does not abort it: one more load follows when it ends, so a burst of live events on a
 * slow server still ends with fresh data instead of aborting every load before it answers.
 */
export function useResource<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): Resource<T> {
  const [state, setState] = useState<{ data: T | null; error: string | null; loading: boolean }>({
    data: null,
    error: null,
    loading: true,
  });
  const loadRef = useRef(load);
  loadRef.current = load;
  const inflight = useRef<AbortController | null>(null);
  const again = useRef(false);
  const start = useRef<() => void>(() => undefined);
  start.current = () => {
    const controller = new AbortController();
    inflight.current = controller;
    again.current = false;
    setState((s) => ({ ...s, loading: true }));
    const settle = (): void => {
      if (inflight.current !== controller) return;
      inflight.current = null;
      if (again.current) start.current();
    };
    loadRef.current(controller.signal).then(
      (data) => {
        if (controller.signal.aborted) return;
        setState({ data, error: null, loading: false });
        settle();
      },
      (err: unknown) => {
        if (controller.signal.aborted) return;
        setState((s) => ({ data: s.data, error: messageOf(err), loading: false }));
        settle();
      },
    );
  };
  useEffect(() => {
    start.current();
    return () => {
      inflight.current?.abort();
      inflight.current = null;
      again.current = false;
    };
    // the caller lists what the load depends on in `deps`
  }, deps);
  const reload = useCallback(() => {
    if (inflight.current) again.current = true;
    else start.current();
  }, []);
  return { ...state, reload };
}

/**
 * Calls `refresh` every `ms` while the tab is visible (and once when it becomes visible again): the
 * safety net under live events, which come only from the node the page is connected to.
 */
export function usePoll(refresh: () => void, ms: number): void {
  const latest = useRef(refresh);
  latest.current = refresh;
  useEffect(() => {
    const tick = (): void => {
      if (document.visibilityState === 'visible') latest.current();
    };
    const t = setInterval(tick, ms);
    document.addEventListener('visibilitychange', tick);
    return () => {
      clearInterval(t);
      document.removeEventListener('visibilitychange', tick);
    };
  }, [ms]);
}

/** `value`, once it has stopped changing for `ms`. */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return settled;
}

export interface Notice {
  id: number;
  kind: 'ok' | 'error';
  text: string;
}

let noticeSeq = 0;
const noticeListeners = new Set<(n: Notice[]) => void>();
let notices: Notice[] = [];

function publishNotices(next: Notice[]): void {
  notices = next;
  for (const l of noticeListeners) l(notices);
}

/** Shows a short message in the page's status area (read out by screen readers). */
export function notify(text: string, kind: Notice['kind'] = 'ok'): void {
  const notice = { id: ++noticeSeq, kind, text };
  publishNotices([...notices.slice(-3), notice]);
  setTimeout(() => dismissNotice(notice.id), kind === 'error' ? 12_000 : 5000);
}

export function dismissNotice(id: number): void {
  publishNotices(notices.filter((n) => n.id !== id));
}

export function useNotices(): Notice[] {
  const [list, setList] = useState(notices);
  useEffect(() => {
    noticeListeners.add(setList);
    return () => {
      noticeListeners.delete(setList);
    };
  }, []);
  return list;
}

/** Runs an action, reports its outcome as a notice, and tells whether one is under way. */
export function useAction(): [boolean, (what: string, action: () => Promise<unknown>) => Promise<boolean>] {
  const [busy, setBusy] = useState(false);
  const run = useCallback(async (what: string, action: () => Promise<unknown>): Promise<boolean> => {
    setBusy(true);
    try {
      await action();
      if (what) notify(what);
      return true;
    } catch (err) {
      notify(messageOf(err), 'error');
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  return [busy, run];
}

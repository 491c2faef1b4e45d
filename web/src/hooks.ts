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

/** Loads `load()` when `deps` change; answers to superseded loads are dropped. */
export function useResource<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): Resource<T> {
  const [state, setState] = useState<{ data: T | null; error: string | null; loading: boolean }>({
    data: null,
    error: null,
    loading: true,
  });
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    loadRef.current(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setState({ data, error: null, loading: false });
      },
      (err: unknown) => {
        if (!controller.signal.aborted)
          setState((s) => ({ data: s.data, error: messageOf(err), loading: false }));
      },
    );
    return () => controller.abort();
    // the caller lists what the load depends on in `deps`
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
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

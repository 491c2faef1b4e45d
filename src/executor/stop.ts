/**
 * Why work is being stopped, carried as the abort reason of an AbortSignal, and the small helpers that
 * link signals and wait abortably.
 */

/**
 * - cancelled: the run was cancelled (the request's signal, or the executor closing).
 * - runTimeout: the run's timeout expired.
 * - stepTimeout: the step attempt's own timeout expired.
 */
export type StopKind = 'cancelled' | 'runTimeout' | 'stepTimeout';

export class StopRequest extends Error {
  readonly kind: StopKind;

  constructor(kind: StopKind) {
    super(`stopped: ${kind}`);
    this.name = 'StopRequest';
    this.kind = kind;
  }
}

/** Why the signal was aborted (null while it is not); a foreign abort reason counts as a cancel. */
export function stopKindOf(signal: { readonly aborted: boolean; readonly reason: unknown }): StopKind | null {
  if (!signal.aborted) return null;
  const reason: unknown = signal.reason;
  return reason instanceof StopRequest ? reason.kind : 'cancelled';
}

/**
 * What stops a run or a step: whether it has fired and why, and an AbortSignal made when something
 * needs one (a process, an HTTP request, a timer). Making an AbortSignal costs more than starting a
 * short run does, so the steps that never wait on one (a noop) never make it.
 */
export interface Stop {
  readonly aborted: boolean;
  readonly reason: unknown;
  signal(): AbortSignal;
}

/** A Stop that can be fired. */
export class StopController implements Stop {
  private controller: AbortController | null = null;
  aborted = false;
  reason: unknown = undefined;

  signal(): AbortSignal {
    if (this.controller === null) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.controller?.abort(reason);
  }
}

/** The Stop of an AbortSignal someone else owns. */
export function stopOf(signal: AbortSignal): Stop {
  return {
    get aborted() {
      return signal.aborted;
    },
    get reason(): unknown {
      return signal.reason;
    },
    signal: () => signal,
  };
}

/** A StopController that also fires (with the same stop kind) when `parent` does. */
export interface LinkedStop {
  readonly stop: StopController;
  /** Stops listening to the parent: call it when done, so long-lived parents do not collect listeners. */
  dispose(): void;
}

export function linkStop(parent: Stop | undefined): LinkedStop {
  const stop = new StopController();
  if (parent === undefined) return { stop, dispose: noop };
  const forward = (): void => stop.abort(new StopRequest(stopKindOf(parent) ?? 'cancelled'));
  if (parent.aborted) {
    forward();
    return { stop, dispose: noop };
  }
  const signal = parent.signal();
  signal.addEventListener('abort', forward, { once: true });
  return { stop, dispose: () => signal.removeEventListener('abort', forward) };
}

// setTimeout fires at once for delays over 2^31 - 1 ms (about 24.8 days): longer ones are taken in slices.
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Calls `fn` after `ms` (any finite length); returns a function that cancels it. */
export function startTimer(ms: number, fn: () => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  const arm = (remaining: number): void => {
    timer = setTimeout(
      () => {
        if (remaining > MAX_TIMER_MS) arm(remaining - MAX_TIMER_MS);
        else fn();
      },
      Math.min(remaining, MAX_TIMER_MS),
    );
  };
  arm(Math.max(0, ms));
  return () => clearTimeout(timer);
}

/** Waits `ms`; resolves true when the time passed, false as soon as the signal aborts. */
export function sleep(ms: number, stop: AbortSignal | Stop): Promise<boolean> {
  if (stop.aborted) return Promise.resolve(false);
  const signal = stop instanceof AbortSignal ? stop : stop.signal();
  return new Promise((resolve) => {
    const onAbort = (): void => {
      cancel();
      resolve(false);
    };
    const cancel = startTimer(ms, () => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    });
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Resolves when `promise` settles or after `ms`, whichever comes first (never rejects). */
export async function settleWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  try {
    await Promise.race([promise.then(noop, noop), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function noop(): void {}

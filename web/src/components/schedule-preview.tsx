/**
 * A schedule's preview from `POST /api/v1/preview` (debounced while it is edited): validity, the
 * description, errors naming their field, warnings, and the next fire times with DST flags.
 */

import type { JSX } from 'preact';
import { useEffect, useId, useState } from 'preact/hooks';
import { api, messageOf } from '../api';
import { useNow } from '../format';
import { useDebounced } from '../hooks';
import type { Preview, Schedule } from '../types';
import { FireTimes } from './fire-times';

/** The preview's answer for a schedule (debounced), or the error of asking. */
export function usePreview(
  schedule: Schedule,
  count: number,
  waitMs = 300,
): { preview: Preview | null; error: string | null; pending: boolean } {
  const key = useDebounced(JSON.stringify(schedule), waitMs);
  const [state, setState] = useState<{ key: string; preview: Preview | null; error: string | null }>({
    key: '',
    preview: null,
    error: null,
  });
  useEffect(() => {
    const controller = new AbortController();
    api<Preview>('POST', '/preview', {
      body: { schedule: JSON.parse(key) as unknown, count },
      signal: controller.signal,
    }).then(
      (preview) => setState({ key, preview, error: null }),
      (err: unknown) => {
        if (!controller.signal.aborted) setState({ key, preview: null, error: messageOf(err) });
      },
    );
    return () => controller.abort();
  }, [key, count]);
  return { preview: state.preview, error: state.error, pending: state.key !== JSON.stringify(schedule) };
}

/** The preview, as the server answered it. */
export function PreviewView({
  preview,
  error,
  pending,
  title = 'Preview',
}: {
  preview: Preview | null;
  error: string | null;
  pending: boolean;
  title?: string;
}): JSX.Element {
  const now = useNow(30_000);
  const titleId = useId();
  return (
    <section class="preview card" aria-labelledby={titleId} aria-busy={pending}>
      <h3 id={titleId}>
        {title} {pending && <span class="muted small">(updating…)</span>}
      </h3>
      <div aria-live="polite" class="preview-status" data-testid="preview-status">
        {error && <p class="error-note">{error}</p>}
        {preview && (
          <>
            <p class={preview.valid ? 'valid' : 'invalid'} data-valid={String(preview.valid)}>
              <span class={`badge ${preview.valid ? 'badge-succeeded' : 'badge-failed'}`}>
                {preview.valid ? 'valid' : 'invalid'}
              </span>{' '}
              {preview.description && <strong class="preview-description">{preview.description}</strong>}
            </p>
            {preview.valid && (
              <p class="small muted preview-type">
                {preview.type}
                {preview.dialect && ` · ${preview.dialect} dialect`}
                {preview.timeZone && ` · ${preview.timeZone}`}
                {preview.cron && (
                  <>
                    {' '}
                    · as cron <code>{preview.cron}</code>
                  </>
                )}
              </p>
            )}
            {preview.errors.length > 0 && (
              <ul class="preview-errors">
                {preview.errors.map((e) => (
                  <li key={e.pointer + e.message}>
                    <code>{e.pointer.replace(/^\/schedule\/?/, '') || 'schedule'}</code>
                    {e.field && <> ({e.field} field)</>}: {e.message}
                  </li>
                ))}
              </ul>
            )}
            {preview.warnings.length > 0 && (
              <ul class="preview-warnings">
                {preview.warnings.map((w) => (
                  <li key={w.code + w.message}>
                    <span class="badge badge-warning">warning</span> {w.message}
                  </li>
                ))}
              </ul>
            )}
          </>
        )}
      </div>
      {preview?.valid && (
        <FireTimes
          fires={preview.nextFireTimes}
          timeZone={preview.timeZone}
          now={now}
          label="Next fire times"
        />
      )}
    </section>
  );
}

/** A schedule's live preview on its own (the job page: the next 20 fire times). */
export function PreviewPanel({
  schedule,
  count = 10,
  title,
}: {
  schedule: Schedule;
  count?: number;
  title?: string;
}): JSX.Element {
  const p = usePreview(schedule, count);
  return <PreviewView {...p} {...(title ? { title } : {})} />;
}

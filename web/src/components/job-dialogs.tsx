/** The job actions that ask first: trigger with a payload, pause with reason and until, delete. */

import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { api, enc } from '../api';
import { localInputToIso, viewerZone } from '../format';
import { notify, useAction } from '../hooks';
import { navigate, paths } from '../router';
import type { Job } from '../types';
import { Dialog, ErrorNote } from './ui';

export function TriggerDialog({
  job,
  open,
  onClose,
}: {
  job: Job;
  open: boolean;
  onClose: () => void;
}): JSX.Element {
  const [payload, setPayload] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, act] = useAction();
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    let body: { payload?: unknown } = {};
    if (payload.trim()) {
      try {
        body = { payload: JSON.parse(payload) as unknown };
      } catch (err) {
        setError(`The payload is not valid JSON: ${(err as Error).message}`);
        return;
      }
    }
    setError(null);
    let runId = '';
    const ok = await act('', async () => {
      runId = (await api<{ runId: string }>('POST', `/jobs/${enc(job.id)}/trigger`, { body })).runId;
    });
    if (ok) {
      notify(`Triggered ${job.name}: run ${runId}`);
      onClose();
    }
  };
  return (
    <Dialog open={open} title={`Trigger ${job.name}`} onClose={onClose}>
      <form onSubmit={(e) => void submit(e)}>
        <div class="field">
          <label for="trigger-payload">Payload (JSON, optional)</label>
          <textarea
            id="trigger-payload"
            class="mono"
            rows={6}
            value={payload}
            placeholder='{"full": true}'
            spellcheck={false}
            aria-invalid={Boolean(error)}
            aria-describedby="trigger-payload-hint"
            onInput={(e) => setPayload(e.currentTarget.value)}
          />
          <small id="trigger-payload-hint" class="hint">
            Steps get it as <code>SKED_PAYLOAD</code> (exec, shell) or <code>{'{{payload}}'}</code> (http
            bodies).
          </small>
        </div>
        <ErrorNote error={error} />
        <div class="actions">
          <button type="submit" class="primary" disabled={busy}>
            Run now
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export function PauseDialog({
  job,
  open,
  onClose,
  onDone,
}: {
  job: Job;
  open: boolean;
  onClose: () => void;
  onDone: () => void;
}): JSX.Element {
  const [reason, setReason] = useState('');
  const [until, setUntil] = useState('');
  const [busy, act] = useAction();
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    const body: Record<string, unknown> = {};
    if (reason.trim()) body['reason'] = reason.trim();
    const u = localInputToIso(until);
    if (u) body['until'] = u;
    if (await act(`Paused ${job.name}`, () => api('POST', `/jobs/${enc(job.id)}/pause`, { body }))) {
      onDone();
      onClose();
    }
  };
  return (
    <Dialog open={open} title={`Pause ${job.name}`} onClose={onClose}>
      <form onSubmit={(e) => void submit(e)}>
        <div class="field">
          <label for="pause-reason">Reason (optional)</label>
          <input
            id="pause-reason"
            type="text"
            value={reason}
            maxLength={1000}
            onInput={(e) => setReason(e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="pause-until">Until (optional)</label>
          <input
            id="pause-until"
            type="datetime-local"
            value={until}
            aria-describedby="pause-until-hint"
            onInput={(e) => setUntil(e.currentTarget.value)}
          />
          <small id="pause-until-hint" class="hint">
            your time ({viewerZone}); the job resumes by itself then
          </small>
        </div>
        <div class="actions">
          <button type="submit" class="primary" disabled={busy}>
            Pause
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export function DeleteDialog({
  job,
  open,
  onClose,
  onDeleting,
}: {
  job: Job;
  open: boolean;
  onClose: () => void;
  onDeleting: () => void;
}): JSX.Element {
  const [busy, act] = useAction();
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    onDeleting();
    if (
      await act(`Deleted ${job.name}`, () =>
        api('DELETE', `/jobs/${enc(job.id)}`, { headers: { 'if-match': String(job.version) } }),
      )
    ) {
      onClose();
      navigate(paths.jobs());
    }
  };
  return (
    <Dialog open={open} title={`Delete ${job.name}?`} onClose={onClose} class="danger-dialog">
      <form onSubmit={(e) => void submit(e)}>
        <p>
          This deletes the job <strong>{job.name}</strong> (<code>{job.id}</code>), its run history and fire
          ledger, and cancels its running runs. It cannot be undone.
        </p>
        <div class="actions">
          <button type="submit" class="danger" disabled={busy}>
            Delete for good
          </button>
          <button type="button" onClick={onClose} autoFocus>
            Keep it
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/**
 * Create or edit a job: name and policies, the schedule editor with its live preview, and the steps.
 * Editing sends the whole definition back (PUT with If-Match), so fields this form does not show
 * (retry, onFailure, env, auth...) are kept as they were.
 */

import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, enc, messageOf, type FieldError } from '../api';
import { defaultSchedule, ScheduleEditor } from '../components/schedule-editor';
import { newStep, StepsEditor } from '../components/steps-editor';
import { ErrorNote, Field, Link, Loading } from '../components/ui';
import { notify, useResource } from '../hooks';
import { navigate, paths } from '../router';
import type { Job, Schedule, Step } from '../types';
import { definitionOf } from './job-page';

interface Draft {
  id: string;
  name: string;
  description: string;
  labels: string;
  schedule: Schedule;
  steps: Step[];
  overlap: string;
  catchUp: string;
  timeout: string;
  enabled: boolean;
}

function labelsText(labels: Record<string, string> | undefined): string {
  return Object.entries(labels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
}

function parseLabels(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t) continue;
    const eq = t.indexOf('=');
    if (eq < 0) out[t] = '';
    else out[t.slice(0, eq).trim()] = t.slice(eq + 1).trim();
  }
  return out;
}

function draftOf(job: Job | null): Draft {
  if (!job)
    return {
      id: '',
      name: '',
      description: '',
      labels: '',
      schedule: defaultSchedule('cron'),
      steps: [newStep('shell')],
      overlap: 'skip',
      catchUp: 'latest',
      timeout: '',
      enabled: true,
    };
  return {
    id: job.id,
    name: job.name,
    description: job.description ?? '',
    labels: labelsText(job.labels),
    schedule: job.schedule,
    steps: job.steps ?? [],
    overlap: job.overlap ?? 'skip',
    catchUp: job.catchUp?.policy ?? 'latest',
    timeout: job.timeout ?? '',
    enabled: job.state !== 'paused',
  };
}

function errorAt(errors: FieldError[], pointer: string): string | null {
  const hits = errors.filter((e) => e.pointer === pointer || e.pointer.startsWith(`${pointer}/`));
  return hits.length ? hits.map((e) => e.message).join('; ') : null;
}

function EditorForm({ job }: { job: Job | null }): JSX.Element {
  const [draft, setDraft] = useState<Draft>(() => draftOf(job));
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof Draft>(k: K, v: Draft[K]): void => {
    setDraft((d) => ({ ...d, [k]: v }));
    // An edited field's error from the last save is stale now (the preview checks the schedule live).
    const field = String(k);
    const left = errors.filter((e) => e.pointer !== `/${field}` && !e.pointer.startsWith(`/${field}/`));
    if (left.length !== errors.length) {
      setErrors(left);
      if (left.length === 0) setError(null);
    }
  };
  const creating = job === null;

  useEffect(() => {
    document.title = `${creating ? 'New job' : `Edit ${job.name}`} · sked`;
  }, [creating, job]);

  const save = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setErrors([]);
    const body: Record<string, unknown> = job ? definitionOf(job) : {};
    delete body['id'];
    body['name'] = draft.name;
    body['description'] = draft.description;
    body['labels'] = parseLabels(draft.labels);
    body['schedule'] = draft.schedule;
    body['steps'] = draft.steps;
    body['overlap'] = draft.overlap;
    body['catchUp'] = { ...(job?.catchUp ?? {}), policy: draft.catchUp };
    if (draft.timeout.trim()) body['timeout'] = draft.timeout.trim();
    else if (job) body['timeout'] = null;
    try {
      let saved: Job;
      if (job) {
        saved = await api<Job>('PUT', `/jobs/${enc(job.id)}`, {
          body,
          headers: { 'if-match': String(job.version) },
        });
      } else {
        if (!draft.enabled) body['enabled'] = false;
        if (draft.id.trim()) body['id'] = draft.id.trim();
        saved = await api<Job>('POST', '/jobs', { body });
      }
      notify(`${creating ? 'Created' : 'Saved'} ${saved.name}`);
      navigate(paths.job(saved.id));
    } catch (err) {
      if (err instanceof ApiError) {
        setErrors(err.errors);
        setError(
          err.status === 412
            ? 'Someone changed this job since you opened it: reload the page to edit the current version.'
            : err.message,
        );
      } else setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  const scheduleErrors = errors.filter((e) => e.pointer.startsWith('/schedule'));
  const otherErrors = errors.filter(
    (e) => !/^\/(schedule|steps|name|id|description|labels|overlap|catchUp|timeout)(\/|$)/.test(e.pointer),
  );

  return (
    <form class="job-editor" onSubmit={(e) => void save(e)} noValidate>
      <section class="card" aria-labelledby="basics-title">
        <h2 id="basics-title">Job</h2>
        <div class="row">
          <Field label="Name" error={errorAt(errors, '/name')} class="grow">
            {(id, d, invalid) => (
              <input
                id={id}
                name="name"
                type="text"
                required
                maxLength={200}
                value={draft.name}
                aria-describedby={d}
                aria-invalid={invalid}
                onInput={(e) => set('name', e.currentTarget.value)}
              />
            )}
          </Field>
          {creating ? (
            <Field
              label="Id (optional)"
              hint="letters, digits, . _ - (generated when empty)"
              error={errorAt(errors, '/id')}
            >
              {(id, d, invalid) => (
                <input
                  id={id}
                  name="id"
                  type="text"
                  class="mono"
                  pattern="[A-Za-z0-9._\-]{1,128}"
                  value={draft.id}
                  aria-describedby={d}
                  aria-invalid={invalid}
                  onInput={(e) => set('id', e.currentTarget.value)}
                />
              )}
            </Field>
          ) : (
            <div class="field">
              <span class="label-like">Id</span>
              <code>{job.id}</code>
            </div>
          )}
        </div>
        <Field label="Description" error={errorAt(errors, '/description')} class="wide">
          {(id, d, invalid) => (
            <textarea
              id={id}
              rows={2}
              maxLength={1000}
              value={draft.description}
              aria-describedby={d}
              aria-invalid={invalid}
              onInput={(e) => set('description', e.currentTarget.value)}
            />
          )}
        </Field>
        <div class="row">
          <Field
            label="Overlap"
            hint="a fire while the previous run is still going"
            error={errorAt(errors, '/overlap')}
          >
            {(id, d) => (
              <select
                id={id}
                aria-describedby={d}
                value={draft.overlap}
                onChange={(e) => set('overlap', e.currentTarget.value)}
              >
                <option value="skip">skip (default)</option>
                <option value="allow">allow</option>
                <option value="bufferOne">buffer one</option>
                <option value="cancelOther">cancel the other</option>
              </select>
            )}
          </Field>
          <Field label="Catch-up" hint="fires missed while no node ran" error={errorAt(errors, '/catchUp')}>
            {(id, d) => (
              <select
                id={id}
                aria-describedby={d}
                value={draft.catchUp}
                onChange={(e) => set('catchUp', e.currentTarget.value)}
              >
                <option value="latest">latest (fire once)</option>
                <option value="all">all</option>
                <option value="none">none</option>
              </select>
            )}
          </Field>
          <Field
            label="Run timeout"
            hint="ISO 8601, e.g. PT1H (empty = none)"
            error={errorAt(errors, '/timeout')}
          >
            {(id, d, invalid) => (
              <input
                id={id}
                type="text"
                class="mono"
                value={draft.timeout}
                aria-describedby={d}
                aria-invalid={invalid}
                onInput={(e) => set('timeout', e.currentTarget.value)}
              />
            )}
          </Field>
        </div>
        <div class="row">
          <Field
            label="Labels"
            hint="key=value, one per line"
            error={errorAt(errors, '/labels')}
            class="grow"
          >
            {(id, d, invalid) => (
              <textarea
                id={id}
                class="mono"
                rows={2}
                value={draft.labels}
                aria-describedby={d}
                aria-invalid={invalid}
                spellcheck={false}
                onInput={(e) => set('labels', e.currentTarget.value)}
              />
            )}
          </Field>
          {creating && (
            <label class="check">
              <input
                type="checkbox"
                checked={!draft.enabled}
                onChange={(e) => set('enabled', !e.currentTarget.checked)}
              />{' '}
              Create paused
            </label>
          )}
        </div>
      </section>

      <section class="card" aria-labelledby="schedule-title">
        <h2 id="schedule-title">Schedule</h2>
        <ScheduleEditor value={draft.schedule} onChange={(s) => set('schedule', s)} errors={scheduleErrors} />
      </section>

      <section class="card" aria-labelledby="steps-title">
        <h2 id="steps-title">Steps</h2>
        <p class="small muted">
          Steps with the same index run in parallel; groups run in ascending index order.
        </p>
        <StepsEditor steps={draft.steps} onChange={(s) => set('steps', s)} errors={errors} />
      </section>

      {(error || otherErrors.length > 0) && (
        <div class="banner error" role="alert">
          <p>{error ?? 'The job was not saved.'}</p>
          {errors.length > 0 && (
            <ul>
              {errors.map((e) => (
                <li key={e.pointer + e.message}>
                  <code>{e.pointer}</code>: {e.message}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      <div class="actions sticky-actions">
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Saving…' : creating ? 'Create job' : 'Save changes'}
        </button>
        <Link href={job ? paths.job(job.id) : paths.jobs()} class="button">
          Cancel
        </Link>
      </div>
    </form>
  );
}

export function JobEditorPage({ id }: { id: string | null }): JSX.Element {
  const job = useResource(
    (signal) => (id ? api<Job>('GET', `/jobs/${enc(id)}`, { signal }) : Promise.resolve(null)),
    [id],
  );
  return (
    <main id="main" class="editor-page">
      <nav class="crumbs" aria-label="Breadcrumb">
        <Link href={paths.jobs()}>Jobs</Link> <span aria-hidden="true">/</span>{' '}
        {id ? (
          <>
            <Link href={paths.job(id)}>{job.data?.name ?? id}</Link> <span aria-hidden="true">/</span>{' '}
            <span aria-current="page">edit</span>
          </>
        ) : (
          <span aria-current="page">new job</span>
        )}
      </nav>
      <h1>{id ? `Edit ${job.data?.name ?? id}` : 'New job'}</h1>
      {id && job.error && <ErrorNote error={job.error} />}
      {id && !job.data && !job.error && <Loading what="the job" />}
      {(!id || job.data) && <EditorForm key={id ?? 'new'} job={job.data ?? null} />}
    </main>
  );
}

/** Shared pieces: links, badges, times, dialogs, fields, messages. */

import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useId, useRef } from 'preact/hooks';
import { formatInstant, formatRelative } from '../format';
import { onLinkClick } from '../router';

export function Link(props: {
  href: string;
  children: ComponentChildren;
  class?: string;
  'aria-current'?: 'page' | undefined;
  title?: string;
}): JSX.Element {
  const { href, children, ...rest } = props;
  return (
    <a href={href} onClick={(e) => onLinkClick(e, href)} {...rest}>
      {children}
    </a>
  );
}

/** A run, step or job status as a coloured badge with its name spelled out (colour is never the only cue). */
export function Badge({
  value,
  title,
}: {
  value: string | null | undefined;
  title?: string | undefined;
}): JSX.Element {
  const v = value ?? 'none';
  return (
    <span class={`badge badge-${v}`} title={title}>
      {v === 'timedOut' ? 'timed out' : v}
    </span>
  );
}

/** An instant: relative (`in 5 minutes`) with the absolute time in the viewer's zone beside or as a tooltip. */
export function Time({
  iso,
  now,
  mode = 'both',
}: {
  iso: string | null | undefined;
  now?: number;
  mode?: 'both' | 'relative' | 'absolute';
}): JSX.Element {
  if (!iso) return <span class="muted">—</span>;
  const abs = formatInstant(iso);
  const rel = formatRelative(iso, now);
  if (mode === 'absolute') return <time dateTime={iso}>{abs}</time>;
  if (mode === 'relative')
    return (
      <time dateTime={iso} title={abs}>
        {rel}
      </time>
    );
  return (
    <time dateTime={iso} class="time-both">
      <span>{rel}</span> <span class="muted small">{abs}</span>
    </time>
  );
}

export function ErrorNote({ error }: { error: string | null }): JSX.Element | null {
  if (!error) return null;
  return (
    <p class="error-note" role="alert">
      {error}
    </p>
  );
}

export function Loading({ what }: { what: string }): JSX.Element {
  return (
    <p class="muted" aria-busy="true">
      Loading {what}…
    </p>
  );
}

/**
 * A modal dialog on the native <dialog> element: focus moves into it and is trapped there, Escape
 * closes it, and focus returns to what opened it.
 */
export function Dialog(props: {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  class?: string;
}): JSX.Element {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (props.open && !d.open) d.showModal();
    if (!props.open && d.open) d.close();
  }, [props.open]);
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      class={props.class}
      onClose={() => props.onClose()}
      onCancel={(e) => {
        e.preventDefault();
        props.onClose();
      }}
    >
      {props.open && (
        <div class="dialog-body">
          <h2 id={titleId}>{props.title}</h2>
          {props.children}
        </div>
      )}
    </dialog>
  );
}

/** A labelled form field with its hint and its error (announced, and tied to the input). */
export function Field(props: {
  label: string;
  hint?: ComponentChildren;
  error?: string | null | undefined;
  children: (id: string, describedBy: string | undefined, invalid: boolean) => ComponentChildren;
  class?: string;
}): JSX.Element {
  const id = useId();
  const hintId = `${id}-hint`;
  const errId = `${id}-err`;
  const describedBy =
    [props.hint ? hintId : '', props.error ? errId : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`field ${props.class ?? ''} ${props.error ? 'has-error' : ''}`}>
      <label for={id}>{props.label}</label>
      {props.children(id, describedBy, Boolean(props.error))}
      {props.hint && (
        <small id={hintId} class="hint">
          {props.hint}
        </small>
      )}
      {props.error && (
        <small id={errId} class="field-error">
          {props.error}
        </small>
      )}
    </div>
  );
}

/** Pretty JSON in a scrollable block. */
export function JsonBlock({ value, label }: { value: unknown; label: string }): JSX.Element {
  return (
    <pre class="code" aria-label={label} tabIndex={0}>
      {JSON.stringify(value, null, 2)}
    </pre>
  );
}

export function Pager(props: {
  offset: number;
  limit: number;
  total: number;
  onOffset: (o: number) => void;
  what: string;
}): JSX.Element | null {
  const { offset, limit, total } = props;
  if (total <= limit && offset === 0) return null;
  return (
    <nav class="pager" aria-label={`${props.what} pages`}>
      <button
        type="button"
        disabled={offset === 0}
        onClick={() => props.onOffset(Math.max(0, offset - limit))}
      >
        ← Previous
      </button>
      <span>
        {total === 0 ? 0 : offset + 1}–{Math.min(offset + limit, total)} of {total}
      </span>
      <button type="button" disabled={offset + limit >= total} onClick={() => props.onOffset(offset + limit)}>
        Next →
      </button>
    </nav>
  );
}

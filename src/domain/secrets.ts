/**
 * Secrets in job definitions: sealed with AES-256-GCM before they are stored, shown as `***` on every
 * read, revealed only for the executor, and scrubbed from run output and errors.
 *
 * What is secret: basic-auth passwords and bearer tokens of http steps, the password in a sql step's
 * connection string, `Authorization`-like header values, and any header or env value sent as
 * `{"secret": "..."}`. A sealed value is a string `enc:v1:<base64 iv|tag|ciphertext>`, so definitions
 * keep their shape. Sending back `***` (or `{"secret": "***"}`) keeps the stored secret, so a definition
 * read from the API can be changed and written back without knowing its secrets.
 */

import { createCipheriv, createDecipheriv, createHash, randomBytes, scryptSync } from 'node:crypto';
import { SkedError } from './errors.js';
import type { JobDefinition, Step } from './types.js';

export const REDACTED = '***';
const SEALED = 'enc:v1:';
const SENSITIVE_HEADER = /^(authorization|proxy-authorization|cookie|x-api-key|x-auth-token|.*(token|secret|password|passwd|apikey|api-key).*)$/i;

export const isSealed = (value: unknown): value is string => typeof value === 'string' && value.startsWith(SEALED);

/** A value marked secret on input. */
export interface SecretInput {
  secret: string;
}

const isSecretInput = (v: unknown): v is SecretInput => typeof v === 'object' && v !== null && typeof (v as SecretInput).secret === 'string' && Object.keys(v).length === 1;

/** The key: 32 bytes as base64 or hex, or any other text stretched with scrypt. */
export function secretKeyFrom(text: string): Buffer {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  const b64 = Buffer.from(trimmed, 'base64');
  if (b64.length === 32 && /^[A-Za-z0-9+/=_-]+$/.test(trimmed)) return b64;
  return scryptSync(trimmed, 'sked secret key', 32);
}

export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('the secret key must be 32 bytes');
  }

  /** A short fingerprint of the key (to tell nodes with different keys apart in messages). */
  get fingerprint(): string {
    return createHash('sha256').update(this.key).digest('hex').slice(0, 8);
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return SEALED + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  open(sealed: string): string {
    if (!isSealed(sealed)) return sealed;
    const raw = Buffer.from(sealed.slice(SEALED.length), 'base64');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    } catch {
      throw new SkedError('INTERNAL', `a stored secret cannot be decrypted with this node's secret key (fingerprint ${this.fingerprint}): every node needs the same SKED_SECRET_KEY`);
    }
  }
}

/** The password part of a connection URL, if any. */
function connectionPassword(connection: string): string | null {
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^:/@]*:([^@/]*)@/i.exec(connection);
  if (m && m[1]) return m[1];
  const q = /[?&]password=([^&]*)/i.exec(connection);
  return q && q[1] ? q[1] : null;
}

type StepMap = (step: Step, path: string) => Step;

function mapSteps(def: JobDefinition, fn: StepMap): JobDefinition {
  return {
    ...def,
    steps: def.steps.map((s, i) => fn(s, `/steps/${i}`)),
    onFailure: def.onFailure.map((s, i) => fn(s, `/onFailure/${i}`)),
  };
}

/** Previous sealed value at a path, to keep when the new definition sends `***`. */
type Previous = (path: string) => string | undefined;

function sealValue(box: SecretBox, value: unknown, path: string, previous: Previous, always: boolean): string | undefined {
  if (value === undefined) return undefined;
  if (isSecretInput(value)) {
    if (value.secret === REDACTED) return previous(path) ?? box.seal(REDACTED);
    return box.seal(value.secret);
  }
  if (typeof value !== 'string') return value as unknown as undefined;
  if (value === REDACTED && previous(path) !== undefined) return previous(path);
  if (isSealed(value)) return previous(path) === value ? value : box.seal(openInput(box, value, path));
  return always ? box.seal(value) : value;
}

/** A sealed value sent in (copied from another job): it must open with this server's key. */
function openInput(box: SecretBox, value: string, path: string): string {
  try {
    return box.open(value);
  } catch {
    const message = `a value starting with '${SEALED}' is taken for a sealed secret, and this one cannot be opened with this server's key: send the plain value, or {"secret": "..."}`;
    throw new SkedError('VALIDATION_ERROR', `${path}: ${message}`, { errors: [{ pointer: path, message }] });
  }
}

function sealMap(box: SecretBox, map: Record<string, unknown> | undefined, path: string, previous: Previous, sensitive: (name: string) => boolean): Record<string, string> | undefined {
  if (map === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(map)) out[k] = sealValue(box, v, `${path}/${k}`, previous, sensitive(k)) as string;
  return out;
}

/** Every sealed string of a definition, by JSON pointer. */
function sealedPaths(def: JobDefinition | null): Map<string, string> {
  const out = new Map<string, string>();
  if (!def) return out;
  const walk = (v: unknown, path: string): void => {
    if (isSealed(v)) out.set(path, v);
    else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}/${i}`));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, `${path}/${k}`);
  };
  walk(def.steps, '/steps');
  walk(def.onFailure, '/onFailure');
  return out;
}

/** Seals the secrets of a definition; `previous` is the stored definition being replaced (its secrets are kept for `***`). */
export function sealDefinition(box: SecretBox, def: JobDefinition, previous: JobDefinition | null): JobDefinition {
  const prior = sealedPaths(previous);
  const prev: Previous = (path) => prior.get(path);
  const sealed = sealSteps(box, def, prev);
  // Anything else that looks sealed (a command, a URL...) would be taken for a secret when shown or run.
  for (const [path, value] of sealedPaths(sealed)) if (prior.get(path) !== value) openInput(box, value, path);
  return sealed;
}

function sealSteps(box: SecretBox, def: JobDefinition, prev: Previous): JobDefinition {
  return mapSteps(def, (step, path) => {
    switch (step.type) {
      case 'http': {
        const r = step.request;
        const auth = r.auth
          ? r.auth.type === 'basic'
            ? { ...r.auth, password: sealValue(box, r.auth.password, `${path}/request/auth/password`, prev, true) as string }
            : { ...r.auth, token: sealValue(box, r.auth.token, `${path}/request/auth/token`, prev, true) as string }
          : undefined;
        const headers = sealMap(box, r.headers, `${path}/request/headers`, prev, (name) => SENSITIVE_HEADER.test(name));
        return { ...step, request: { ...r, ...(headers ? { headers } : {}), ...(auth ? { auth } : {}) } };
      }
      case 'exec':
      case 'shell': {
        const env = sealMap(box, step.env, `${path}/env`, prev, () => false);
        return env ? { ...step, env } : step;
      }
      case 'sql': {
        const p = `${path}/connection`;
        const kept = prev(p);
        const c = step.connection;
        if (isSealed(c)) return { ...step, connection: kept === c ? c : box.seal(openInput(box, c, p)) };
        const password = connectionPassword(c);
        if (c === REDACTED || password === REDACTED) {
          // Written back as read: keep the stored connection; anything else needs the real password.
          if (kept && (c === REDACTED || redactConnection(box.open(kept)) === c)) return { ...step, connection: kept };
          throw new SkedError('VALIDATION_ERROR', `${p}: the password is ${REDACTED}; send the real password when changing the connection`, {
            errors: [{ pointer: p, message: `the password is ${REDACTED}; send the real password when changing the connection` }],
          });
        }
        return password ? { ...step, connection: box.seal(c) } : step;
      }
      default:
        return step;
    }
  });
}

/** The definition with every secret readable (for the executor only). */
export function revealDefinition<T extends JobDefinition>(box: SecretBox, def: T): T {
  const open = (v: string | undefined): string | undefined => (v === undefined ? undefined : box.open(v));
  const openMap = (m: Record<string, string> | undefined): Record<string, string> | undefined =>
    m === undefined ? undefined : Object.fromEntries(Object.entries(m).map(([k, v]) => [k, box.open(v)]));
  return mapSteps(def, (step) => {
    switch (step.type) {
      case 'http': {
        const r = step.request;
        const auth = r.auth ? (r.auth.type === 'basic' ? { ...r.auth, password: open(r.auth.password) as string } : { ...r.auth, token: open(r.auth.token) as string }) : undefined;
        const headers = openMap(r.headers);
        return { ...step, request: { ...r, ...(headers ? { headers } : {}), ...(auth ? { auth } : {}) } };
      }
      case 'exec':
      case 'shell': {
        const env = openMap(step.env);
        return env ? { ...step, env } : step;
      }
      case 'sql':
        return { ...step, connection: box.open(step.connection) };
      default:
        return step;
    }
  }) as T;
}

/** `postgres://user:***@host/db` for a connection with a password. */
export function redactConnection(connection: string): string {
  return connection.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@/]*@/i, `$1${REDACTED}@`).replace(/([?&]password=)[^&]*/i, `$1${REDACTED}`);
}

/** The definition as anyone may read it: secrets replaced by `***`. */
export function redactDefinition<T extends JobDefinition>(box: SecretBox | null, def: T): T {
  const hide = (v: string): string => (isSealed(v) ? REDACTED : v);
  const hideMap = (m: Record<string, string> | undefined): Record<string, string> | undefined =>
    m === undefined ? undefined : Object.fromEntries(Object.entries(m).map(([k, v]) => [k, hide(v)]));
  return mapSteps(def, (step) => {
    switch (step.type) {
      case 'http': {
        const r = step.request;
        const auth = r.auth ? (r.auth.type === 'basic' ? { ...r.auth, password: hide(r.auth.password) } : { ...r.auth, token: hide(r.auth.token) }) : undefined;
        const headers = hideMap(r.headers);
        return { ...step, request: { ...r, ...(headers ? { headers } : {}), ...(auth ? { auth } : {}) } };
      }
      case 'exec':
      case 'shell': {
        const env = hideMap(step.env);
        return env ? { ...step, env } : step;
      }
      case 'sql': {
        if (!isSealed(step.connection)) return step;
        let shown = `${REDACTED}`;
        if (box) {
          try {
            shown = redactConnection(box.open(step.connection));
          } catch {
            shown = REDACTED;
          }
        }
        return { ...step, connection: shown };
      }
      default:
        return step;
    }
  }) as T;
}

/** The plain values of a revealed definition's secrets (to scrub them from output). */
export function secretValues(box: SecretBox, sealedDef: JobDefinition): string[] {
  const out = new Set<string>();
  for (const sealed of sealedPaths(sealedDef).values()) {
    const plain = box.open(sealed);
    const password = connectionPassword(plain);
    out.add(password ?? plain);
  }
  // A basic-auth password also travels encoded, in the Authorization header a target may echo back.
  for (const step of [...sealedDef.steps, ...sealedDef.onFailure]) {
    if (step.type !== 'http' || step.request.auth?.type !== 'basic' || !isSealed(step.request.auth.password)) continue;
    out.add(Buffer.from(`${step.request.auth.username}:${box.open(step.request.auth.password)}`, 'utf8').toString('base64'));
  }
  // Short values would scrub ordinary words out of the output.
  return [...out].filter((v) => v.length >= 4);
}

/** Replaces every occurrence of the secrets in a text by `***`. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join(REDACTED);
  return out;
}

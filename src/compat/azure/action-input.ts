/**
 * An Azure action (or errorAction) as one sked step: `http`/`https` actions run natively as `http`
 * steps (Azure's fixed 60 s timeout, Basic authentication as sked basic auth whose password is sealed);
 * storage queue and Service Bus messages become `dispatch` steps carrying the original fields. The
 * retry policy becomes sked's job retry (fixed backoff; Azure has no exponential one).
 */

import { REDACTED } from '../../domain/secrets.js';
import type { HttpAuth, HttpStep, RetryPolicy, Step } from '../../domain/types.js';
import { badRequest } from './azure-api-error.js';
import { certificateFacts } from './client-certificate.js';
import { checkKnown, enumValue, isObject, isoDuration, optionalInteger, optionalObject, optionalString, parseAzureDuration, requiredString, type Json } from './values.js';

export const ACTION_TYPES = ['http', 'https', 'storageQueue', 'serviceBusQueue', 'serviceBusTopic'] as const;
export type ActionType = (typeof ACTION_TYPES)[number];
const AUTH_TYPES = ['NotSpecified', 'Basic', 'ClientCertificate', 'ActiveDirectoryOAuth'] as const;

// Azure Scheduler's documented limits on an HTTP action.
const MAX_URI = 2048;
const MAX_HEADERS = 50;
const MAX_HEADER_CHARS = 4096;
const MAX_BODY = 8192;
const MAX_RETRY_COUNT = 20;
const DEFAULT_RETRY = { interval: 60_000, count: 5 };
export const HTTP_TIMEOUT = 'PT60S';

const ACTION_FIELDS = ['type', 'request', 'queueMessage', 'serviceBusQueueMessage', 'serviceBusTopicMessage', 'retryPolicy', 'errorAction'];
const SLOT: Record<Exclude<ActionType, 'http' | 'https'>, string> = {
  storageQueue: 'queueMessage',
  serviceBusQueue: 'serviceBusQueueMessage',
  serviceBusTopic: 'serviceBusTopicMessage',
};

export interface ActionContext {
  /** JSON pointer of the action in the request body. */
  pointer: string;
  stepName: 'MainAction' | 'ErrorAction';
  /** The step this action replaces (its sealed Basic password is kept when none is sent). */
  previous: Step | undefined;
  /** The stored authentication facts this action had (kept when a certificate is sent back without its PFX). */
  previousAuth: Json | undefined;
}

export interface ConvertedAction {
  step: Step;
  /** Outbound authentication sked keeps as facts only (ClientCertificate, ActiveDirectoryOAuth). */
  auth: Json | undefined;
}

export function actionToStep(action: Json, ctx: ActionContext): ConvertedAction {
  const known = ctx.stepName === 'MainAction' ? ACTION_FIELDS : ACTION_FIELDS.filter((f) => f !== 'retryPolicy' && f !== 'errorAction');
  checkKnown(action, known, ctx.pointer);
  const type = enumValue(action['type'], ACTION_TYPES, `${ctx.pointer}/type`);
  if (type === 'http' || type === 'https') return httpAction(action, ctx);
  const slot = SLOT[type];
  const message = optionalObject(action[slot], `${ctx.pointer}/${slot}`);
  if (!message) throw badRequest(`${ctx.pointer}/${slot}`, `is required for a ${type} action`);
  if (type === 'storageQueue') {
    checkKnown(message, ['storageAccount', 'queueName', 'sasToken', 'message'], `${ctx.pointer}/${slot}`);
    for (const f of ['storageAccount', 'queueName', 'sasToken', 'message']) requiredString(message[f], `${ctx.pointer}/${slot}/${f}`);
  } else {
    const name = type === 'serviceBusQueue' ? 'queueName' : 'topicPath';
    requiredString(message[name], `${ctx.pointer}/${slot}/${name}`);
  }
  return { step: { stepIndex: 0, name: ctx.stepName, type: 'dispatch', surface: 'azure', action: { type, [slot]: message } }, auth: undefined };
}

function httpAction(action: Json, ctx: ActionContext): ConvertedAction {
  const p = `${ctx.pointer}/request`;
  const request = optionalObject(action['request'], p);
  if (!request) throw badRequest(p, 'is required for an http or https action');
  checkKnown(request, ['uri', 'method', 'headers', 'body', 'authentication'], p);
  const uri = requiredString(request['uri'], `${p}/uri`);
  if (uri.length > MAX_URI) throw badRequest(`${p}/uri`, `must be at most ${MAX_URI} characters`);
  const method = optionalString(request['method'], `${p}/method`);
  const body = optionalString(request['body'], `${p}/body`);
  if (body !== undefined && body.length > MAX_BODY) throw badRequest(`${p}/body`, `must be at most ${MAX_BODY} characters`);
  const headers = headersOf(request['headers'], `${p}/headers`);
  const { auth, facts } = authenticationOf(request['authentication'], `${p}/authentication`, ctx);
  const step: HttpStep = {
    stepIndex: 0,
    name: ctx.stepName,
    type: 'http',
    request: {
      method: (method ?? 'GET').toUpperCase(),
      url: uri,
      ...(headers ? { headers } : {}),
      ...(body !== undefined ? { body } : {}),
      ...(auth ? { auth } : {}),
    },
    timeout: HTTP_TIMEOUT,
  };
  return { step, auth: facts };
}

function headersOf(value: unknown, pointer: string): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw badRequest(pointer, 'must be an object of header names and values');
  const entries = Object.entries(value);
  if (entries.length > MAX_HEADERS) throw badRequest(pointer, `must hold at most ${MAX_HEADERS} headers`);
  let chars = 0;
  const out: Record<string, string> = {};
  for (const [name, v] of entries) {
    if (typeof v !== 'string') throw badRequest(`${pointer}/${name}`, 'must be a string');
    chars += name.length + v.length;
    out[name] = v;
  }
  if (chars > MAX_HEADER_CHARS) throw badRequest(pointer, `must be at most ${MAX_HEADER_CHARS} characters in all`);
  return out;
}

function authenticationOf(value: unknown, pointer: string, ctx: ActionContext): { auth?: HttpAuth; facts?: Json } {
  const a = optionalObject(value, pointer);
  if (!a) return {};
  const type = enumValue(a['type'], AUTH_TYPES, `${pointer}/type`);
  switch (type) {
    case 'NotSpecified':
      return {};
    case 'Basic': {
      checkKnown(a, ['type', 'username', 'password'], pointer);
      const username = requiredString(a['username'], `${pointer}/username`);
      let password = optionalString(a['password'], `${pointer}/password`);
      // Azure never shows the password: a definition sent back as read keeps the stored one.
      if (password === undefined || password === REDACTED) {
        const prev = ctx.previous?.type === 'http' ? ctx.previous.request.auth : undefined;
        if (prev?.type !== 'basic') throw badRequest(`${pointer}/password`, 'is required');
        password = REDACTED;
      }
      return { auth: { type: 'basic', username, password } };
    }
    case 'ClientCertificate': {
      checkKnown(a, ['type', 'pfx', 'password', 'certificateThumbprint', 'certificateExpiration', 'certificateExpirationDate', 'certificateSubjectName'], pointer);
      const pfx = optionalString(a['pfx'], `${pointer}/pfx`);
      if (pfx === undefined) {
        if (ctx.previousAuth?.['type'] === 'ClientCertificate') return { facts: ctx.previousAuth };
        throw badRequest(`${pointer}/pfx`, 'is required');
      }
      return { facts: { type: 'ClientCertificate', ...certificateFacts(pfx, optionalString(a['password'], `${pointer}/password`), pointer) } };
    }
    case 'ActiveDirectoryOAuth': {
      checkKnown(a, ['type', 'tenant', 'audience', 'clientId', 'secret'], pointer);
      const facts: Json = { type: 'ActiveDirectoryOAuth' };
      for (const f of ['tenant', 'audience', 'clientId']) facts[f] = requiredString(a[f], `${pointer}/${f}`);
      return { facts };
    }
  }
}

/** Azure's retry policy as sked's job retry; `none` (or no policy) is no retry. */
export function retryOf(value: unknown, pointer: string): RetryPolicy | null {
  const policy = optionalObject(value, pointer);
  if (!policy) return null;
  checkKnown(policy, ['retryType', 'retryInterval', 'retryCount'], pointer);
  const type = enumValue(policy['retryType'] ?? 'fixed', ['none', 'fixed'] as const, `${pointer}/retryType`);
  if (type === 'none') return null;
  const interval = policy['retryInterval'] === undefined || policy['retryInterval'] === null ? DEFAULT_RETRY.interval : parseAzureDuration(policy['retryInterval'], `${pointer}/retryInterval`);
  if (interval <= 0) throw badRequest(`${pointer}/retryInterval`, 'must be longer than zero');
  const count = optionalInteger(policy['retryCount'], `${pointer}/retryCount`, 0, MAX_RETRY_COUNT) ?? DEFAULT_RETRY.count;
  return { maxAttempts: count + 1, backoff: 'fixed', interval: isoDuration(interval), onExhausted: 'continue' };
}

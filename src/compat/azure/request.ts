/**
 * What both Azure routers need from a request: its path segments (decoded, `~` dropped), its query,
 * its JSON or XML body, and the replies in each API's content types.
 */

import type { FastifyReply, FastifyRequest } from 'fastify';
import { parseJsonBody } from '../../api/json-body.js';
import type { Actor } from '../../service/actor.js';
import type { CompatContext } from '../surface.js';
import { AzureApiError, badRequest } from './azure-api-error.js';
import { isObject, type Json } from './values.js';

export interface ParsedUrl {
  segments: string[];
  query: URLSearchParams;
  path: string;
}

/** One request being served: who asks, and what. */
export interface AzureRequest {
  ctx: CompatContext;
  actor: Actor;
  request: FastifyRequest;
  reply: FastifyReply;
  url: ParsedUrl;
}

export function parseUrl(url: string): ParsedUrl {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const segments = path
    .split('/')
    .filter((s) => s !== '')
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        throw badRequest('/path', `'${s}' is not a valid percent-encoded path segment`);
      }
    });
  return { segments, query: new URLSearchParams(q < 0 ? '' : url.slice(q + 1)), path };
}

/** Case-insensitive comparison of a path literal (Azure's routing ignores case). */
export const is = (segment: string | undefined, literal: string): boolean => segment !== undefined && segment.toLowerCase() === literal.toLowerCase();

/** The request's JSON object body (a 400 when absent or not an object). */
export function jsonBody(request: FastifyRequest, pointer = ''): Json {
  const body = typeof request.body === 'string' ? (request.body.trim() ? parseJsonBody(request.body) : undefined) : request.body;
  if (body === undefined || body === null) throw badRequest(pointer, 'a JSON body is required');
  if (!isObject(body)) throw badRequest(pointer, 'must be a JSON object');
  return body;
}

/** The request's body as text (XML bodies), '' when there is none. */
export function textBody(request: FastifyRequest): string {
  const body = request.body;
  if (body === undefined || body === null) return '';
  if (typeof body === 'string') return body;
  throw new AzureApiError(400, 'InvalidXmlRequest', 'the body must be XML (Content-Type: application/xml)');
}

export function sendJson(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send(JSON.stringify(body));
}

export function sendXml(reply: FastifyReply, status: number, xml: string): FastifyReply {
  return reply.code(status).type('application/xml; charset=utf-8').send(xml);
}

export function sendEmpty(reply: FastifyReply, status: number): FastifyReply {
  return reply.code(status).send();
}

/** The absolute URL of this path with other query options (ARM's nextLink). */
export function absoluteUrl(request: FastifyRequest, path: string, query: URLSearchParams): string {
  const host = request.headers.host ?? 'localhost';
  return `${request.protocol}://${host}${path}?${query.toString().replace(/\+/g, '%20')}`;
}

/** A verb the resource does not have: classic documents 400 InvalidHttpVerb, ARM answers 405. */
export function invalidVerb(flavor: 'classic' | 'arm', method: string): AzureApiError {
  const message = `the HTTP verb ${method} is not supported on this resource`;
  return flavor === 'classic' ? new AzureApiError(400, 'InvalidHttpVerb', message) : new AzureApiError(405, 'MethodNotAllowed', message);
}

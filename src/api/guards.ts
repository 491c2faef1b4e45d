/**
 * Request guards around the API: per-key rate limits (429 with Retry-After), a brake on failed
 * authentication per address, paths served only to this host (not through a proxy), and security headers.
 */

import type { FastifyReply, FastifyRequest } from 'fastify';
import { SkedError } from '../domain/errors.js';

/** Token buckets by key: `rate` per second, bursts up to twice that. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly rate: number,
    private readonly burst = rate * 2,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one token for `key`; throws RATE_LIMITED (with the seconds to wait) when there is none. */
  take(key: string): void {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.rate);
    bucket.at = now;
    if (bucket.tokens < 1) {
      this.buckets.set(key, bucket);
      const wait = Math.max(1, Math.ceil((1 - bucket.tokens) / this.rate));
      throw Object.assign(new SkedError('RATE_LIMITED', `too many requests for ${key}: at most ${this.rate} per second; retry in ${wait} s`), { retryAfter: wait });
    }
    bucket.tokens -= 1;
    this.buckets.set(key, bucket);
    if (this.buckets.size > 10_000) this.prune(now);
  }

  private prune(now: number): void {
    for (const [k, b] of this.buckets) if (now - b.at > 60_000) this.buckets.delete(k);
  }
}

/**
 * Authentication with its brakes, shared by the native API and the compatibility surfaces: failed
 * attempts are limited per address, and each key to `rate` requests per second.
 */
export class AccessGuard {
  private readonly perKey: RateLimiter | null;
  // Failed authentications per address: a brake on guessing keys.
  private readonly failures = new RateLimiter(5, 20);

  constructor(rate: number | undefined) {
    this.perKey = rate ? new RateLimiter(rate) : null;
  }

  async check<T extends { id: string | null; name: string }>(ip: string, authenticate: () => Promise<T>): Promise<T> {
    let actor: T;
    try {
      actor = await authenticate();
    } catch (err) {
      this.failures.take(`address ${ip}`);
      throw err;
    }
    this.perKey?.take(actor.id ?? actor.name);
    return actor;
  }
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

export function isLoopback(address: string | undefined): boolean {
  return address !== undefined && LOOPBACK.test(address);
}

/** True when `path` is one of the prefixes or below it (`/scheduler` matches `/scheduler/jobs`, not `/schedulers`). */
export function underAny(path: string, prefixes: readonly string[]): boolean {
  const p = path.split('?')[0] ?? path;
  return prefixes.some((prefix) => p === prefix || p.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`));
}

/**
 * The paths a request may be taken for: the route it matched (the router decodes `%61pi` into `api` and
 * takes `http://host/api/...` for `/api/...`), and its URL's path decoded. Guards decide on these, never
 * on the raw URL, so that no spelling of a path escapes them.
 */
export function requestPaths(request: FastifyRequest): string[] {
  const out = [canonicalPath(request.url)];
  const pattern = request.routeOptions.url;
  if (pattern !== undefined) out.push(pattern);
  return out;
}

function canonicalPath(url: string): string {
  let path = url.split('?')[0] ?? url;
  if (!path.startsWith('/')) {
    try {
      path = new URL(path).pathname;
    } catch {
      return path;
    }
  }
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** True when the request is for the native API (or a surface under /api), however its path is spelt. */
export function isApiRequest(request: FastifyRequest): boolean {
  return requestPaths(request).some((p) => p.startsWith('/api/'));
}

/**
 * Headers a reverse proxy adds to the requests it forwards. A proxy on this host connects from loopback,
 * so a request carrying one of them is taken for a proxied one, not a local caller's.
 */
const FORWARDING_HEADERS: Readonly<Record<string, string>> = { 'x-forwarded-for': 'X-Forwarded-For', forwarded: 'Forwarded', 'x-real-ip': 'X-Real-IP' };

/** The name of the first forwarding header the request carries (even empty), or null. */
export function forwardingHeader(request: FastifyRequest): string | null {
  for (const [header, name] of Object.entries(FORWARDING_HEADERS)) if (request.headers[header] !== undefined) return name;
  return null;
}

/** A caller on this host: a loopback peer whose request does not say it was forwarded by a proxy. */
export function isLocalCaller(request: FastifyRequest): boolean {
  return isLoopback(request.socket.remoteAddress) && forwardingHeader(request) === null;
}

/**
 * Paths served only to callers on this host: 403 to a caller that is not on loopback, and to a loopback
 * caller whose request carries a forwarding header (it came through a reverse proxy on this host).
 */
export function localOnly(prefixes: readonly string[]) {
  return async (request: FastifyRequest): Promise<void> => {
    if (!prefixes.length || !requestPaths(request).some((p) => underAny(p, prefixes))) return;
    if (!isLoopback(request.socket.remoteAddress)) throw new SkedError('FORBIDDEN', 'this API is served only to callers on the same host');
    const forwarded = forwardingHeader(request);
    if (forwarded !== null) {
      throw new SkedError('FORBIDDEN', `this API is served only to callers on the same host, not through a proxy (the request carries ${forwarded})`);
    }
  };
}

/** The headers every answer carries, whatever made it. */
export const BASE_SECURITY_HEADERS: Readonly<Record<string, string>> = { 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' };

/** Headers every answer carries; the dashboard's pages also get a strict Content-Security-Policy. */
export function securityHeaders(dashboardPrefixes: readonly string[]) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    void reply.headers(BASE_SECURITY_HEADERS);
    const path = requestPaths(request)[0] ?? '';
    if (!path.startsWith('/api/') && !path.startsWith('/docs')) {
      void reply.header('X-Frame-Options', 'DENY');
      if (dashboardPrefixes.some((p) => path === p || path.startsWith(p))) {
        void reply.header('Content-Security-Policy', "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
      }
    }
  };
}

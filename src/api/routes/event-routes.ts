/** Server-Sent Events (`GET /api/v1/events`) and live run output (`GET /api/v1/runs/{id}/log?follow=true`). */

import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { TERMINAL_RUN_STATUSES } from '../../domain/types.js';
import { eventJson, type EventBus, type SkedEvent } from '../../service/events.js';
import type { Services } from '../../service/index.js';
import { formatLog } from '../../service/run-service.js';
import { actorOf } from '../http.js';
import { Id } from '../schemas/common.js';

const EventsQuery = Type.Object(
  {
    types: Type.Optional(Type.String({ maxLength: 500, description: 'comma-separated event types; a trailing * matches a prefix (run.*)' })),
    jobId: Type.Optional(Id),
  },
  { additionalProperties: false },
);

const HEARTBEAT_MS = 15_000;

function matcher(types: string | undefined, jobId: string | undefined): (e: SkedEvent) => boolean {
  const patterns = types ? types.split(',').map((t) => t.trim()).filter(Boolean) : [];
  return (e) =>
    (patterns.length === 0 || patterns.some((p) => (p.endsWith('*') ? e.type.startsWith(p.slice(0, -1)) : e.type === p))) &&
    (jobId === undefined || e.data['jobId'] === jobId);
}

/** Takes the response over for a stream; null for HEAD (the headers are sent, no stream is opened). */
function openStream(request: FastifyRequest, reply: FastifyReply, contentType: string): (NodeJS.WritableStream & { writableEnded: boolean }) | null {
  void reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    'content-type': contentType,
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  });
  if (request.method === 'HEAD') {
    raw.end();
    return null;
  }
  // (inject()'s mock socket has no keep-alive to set)
  request.raw.socket.setKeepAlive?.(true);
  return raw;
}

export function eventRoutes(app: FastifyInstance, services: Services, bus: EventBus): void {
  // Streams are hijacked from Fastify: end them ourselves when the server closes, before it waits for
  // its connections to end (preClose; in onClose a client still connected would hold the shutdown).
  const open = new Set<NodeJS.WritableStream>();
  app.addHook('preClose', async () => {
    for (const s of open) s.end();
    open.clear();
  });
  const track = (req: FastifyRequest, stream: NodeJS.WritableStream): void => {
    open.add(stream);
    req.raw.on('close', () => open.delete(stream));
  };

  app.get('/api/v1/events', { schema: { tags: ['events'], summary: 'Live events (Server-Sent Events); resumes after Last-Event-ID', querystring: EventsQuery } }, async (req, reply) => {
    actorOf(req); // authenticated by the hook; every role may watch
    const q = req.query as Static<typeof EventsQuery>;
    const wanted = matcher(q.types, q.jobId);
    const header = req.headers['last-event-id'];
    const lastId = typeof header === 'string' && /^\d+$/.test(header) ? Number(header) : null;
    const out = openStream(req, reply, 'text/event-stream; charset=utf-8');
    if (!out) return;
    track(req, out);
    const send = (e: SkedEvent): void => {
      if (!out.writableEnded && wanted(e)) out.write(`id: ${e.id}\nevent: ${e.type}\ndata: ${eventJson(e)}\n\n`);
    };
    out.write('retry: 2000\n\n');
    for (const e of bus.since(lastId)) send(e);
    const unsubscribe = bus.subscribe(send);
    const ping = setInterval(() => {
      if (!out.writableEnded) out.write(': ping\n\n');
    }, HEARTBEAT_MS);
    const done = (): void => {
      clearInterval(ping);
      unsubscribe();
    };
    req.raw.on('close', done);
    // ended by the server (closing): inject()'s requests never say 'close'
    out.on('finish', done);
  });

  /** `?follow=true`: the output so far, then live until the run ends (from any node: runs elsewhere are polled). */
  app.get('/api/v1/runs/:id/log', { schema: { tags: ['runs'], summary: "The run's captured output as text; follow=true streams it live until the run ends", params: Type.Object({ id: Id }), querystring: Type.Object({ follow: Type.Optional(Type.Boolean()) }, { additionalProperties: false }) } }, async (req, reply) => {
    const id = (req.params as { id: string }).id;
    const actor = actorOf(req);
    const run = await services.runs.get(actor, id);
    const follow = (req.query as { follow?: boolean }).follow === true;
    if (!follow || TERMINAL_RUN_STATUSES.has(run.status)) return reply.type('text/plain; charset=utf-8').send(formatLog(run));
    const out = openStream(req, reply, 'text/plain; charset=utf-8');
    if (!out) return;
    track(req, out);
    let closed = false;
    req.raw.on('close', () => {
      closed = true;
    });
    const finish = async (): Promise<void> => {
      // Wait for the run row to be final (finishes are written in batches), then how each step ended
      // (the output itself was streamed already).
      for (let i = 0; i < 100 && !closed; i++) {
        const final = await services.runs.get(actor, id);
        if (TERMINAL_RUN_STATUSES.has(final.status)) {
          out.write(`\n${formatLog(final, { output: false })}`);
          break;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      out.end();
    };
    for (;;) {
      if (closed) return;
      const live = bus.follow(id, (chunk) => {
        if (chunk === null) {
          live?.stop();
          void finish();
        } else if (!closed) {
          out.write(chunk.text);
        }
      });
      if (live) {
        out.write(live.sofar);
        req.raw.on('close', () => live.stop());
        return;
      }
      // Not running here (queued, or on another node): look again shortly.
      const now = await services.runs.get(actor, id);
      if (TERMINAL_RUN_STATUSES.has(now.status)) {
        out.write(formatLog(now));
        out.end();
        return;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  });
}

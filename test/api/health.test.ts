/** Health, readiness, Prometheus metrics, the OpenAPI 3.1 document and the /docs page. */

import { describe, expect, it } from 'vitest';
import { client, putJob, useSked, waitFor } from './support.js';

const sked = useSked();
const api = client(sked);

describe('GET /healthz and /readyz', () => {
  it('healthz answers ok', async () => {
    const res = await api.get('/healthz');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('readyz answers ready with the store and engine checks, and 503 once the engine stopped', async () => {
    const res = await api.get('/readyz');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ready', checks: { store: 'ok', engine: 'running', clock: 'skew 0 ms against the store' } });

    await api.post('/api/v1/scheduler/standby');
    expect((await api.get('/readyz')).statusCode).toBe(200);

    await sked().engine.stop(0);
    const down = await api.get('/readyz');
    expect(down.statusCode).toBe(503);
    expect(down.json()).toMatchObject({ status: 'not ready', checks: { store: 'ok' } });
    expect(down.json().checks.engine).toMatch(/stopped/);
  });
});

describe('GET /metrics', () => {
  it('is Prometheus text with the fire, run, lateness and queue metrics', async () => {
    const res = await api.get('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    for (const line of [
      '# TYPE sked_fires_total counter',
      '# TYPE sked_fire_lateness_seconds histogram',
      'sked_fire_lateness_seconds_bucket{le="0.01"}',
      'sked_fire_lateness_seconds_count 0',
      '# TYPE sked_runs_finished_total counter',
      'sked_queue_depth 0',
      'sked_runs_running 0',
    ]) {
      expect(res.body).toContain(line);
    }
  });

  it('counts a scheduled fire, its lateness and its finished run', async () => {
    await putJob(api, 'soon', {
      name: 'soon',
      schedule: { type: 'once', at: new Date(Date.now() + 1000).toISOString() },
      steps: [{ stepIndex: 0, type: 'noop' }],
    });
    await waitFor(
      async () =>
        (await api.get('/api/v1/jobs/soon')).json().status.lastRun?.status === 'succeeded' ? true : undefined,
      'the fire to run',
    );
    const body = (await api.get('/metrics')).body;
    expect(body).toMatch(/^sked_fires_total\{outcome="run"\} 1$/m);
    expect(body).toMatch(/^sked_fire_lateness_seconds_count 1$/m);
    expect(body).toMatch(/^sked_runs_finished_total\{status="succeeded"\} 1$/m);
  });
});

describe('GET /openapi.json and /docs', () => {
  it('is an OpenAPI 3.1 document listing every native route', async () => {
    const res = await api.get('/openapi.json');
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\.1\./);
    expect(doc.info).toMatchObject({ title: 'sked', version: expect.any(String) });
    const routes: [string, string][] = [
      ['get', '/api/v1/jobs'],
      ['post', '/api/v1/jobs'],
      ['get', '/api/v1/jobs/{id}'],
      ['put', '/api/v1/jobs/{id}'],
      ['patch', '/api/v1/jobs/{id}'],
      ['delete', '/api/v1/jobs/{id}'],
      ['post', '/api/v1/jobs/{id}/trigger'],
      ['post', '/api/v1/jobs/{id}/pause'],
      ['post', '/api/v1/jobs/{id}/resume'],
      ['post', '/api/v1/jobs/pause'],
      ['post', '/api/v1/jobs/resume'],
      ['get', '/api/v1/jobs/{id}/runs'],
      ['get', '/api/v1/jobs/{id}/fires'],
      ['post', '/api/v1/preview'],
      ['get', '/api/v1/runs'],
      ['get', '/api/v1/runs/{id}'],
      ['get', '/api/v1/runs/{id}/log'],
      ['post', '/api/v1/runs/{id}/cancel'],
      ['get', '/api/v1/scheduler'],
      ['post', '/api/v1/scheduler/standby'],
      ['post', '/api/v1/scheduler/start'],
      ['get', '/api/v1/triggers'],
      ['get', '/api/v1/nodes'],
      ['get', '/api/v1/collections'],
      ['get', '/api/v1/collections/{name}'],
      ['put', '/api/v1/collections/{name}'],
      ['delete', '/api/v1/collections/{name}'],
    ];
    for (const [method, path] of routes)
      expect(doc.paths[path]?.[method], `${method.toUpperCase()} ${path}`).toBeDefined();
    // The job schema documents its fields, and the security schemes are declared.
    const create = doc.paths['/api/v1/jobs'].post;
    expect(JSON.stringify(create.requestBody)).toContain('schedule');
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['apiKey', 'bearer']);
  });

  it('/docs serves the browsable HTML page', async () => {
    const res = await api.raw({ method: 'GET', url: '/docs' });
    const page =
      res.statusCode >= 300 && res.statusCode < 400 ? await api.get(String(res.headers['location'])) : res;
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toMatch(/<html/i);
  });
});

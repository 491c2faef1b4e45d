/**
 * Switching surfaces on and off (SKED_COMPAT / --compat lists the surfaces served; default all; empty =
 * none) and where platform actions go (SKED_DISPATCH_<SURFACE>_URL, or SKED_DISPATCH=surface=URL,...).
 * A surface that is off serves nothing: its paths get the native 404, whatever credentials they carry,
 * while the native API and the other surfaces go on.
 */

import { afterEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/config.js';
import { SkedError } from '../../src/domain/errors.js';
import { SURFACES } from '../../src/compat/index.js';
import { TEST_FLAGS } from '../api/support.js';
import { TEST_KEY, testSked, type TestSked } from '../support/app-harness.js';

const SUB = 'f8b1c2d3-0000-4000-8000-000000000001';

/** One read per surface, as that surface's clients send it (their own credentials). */
const PROBES: Record<string, { method: 'GET'; url: string; headers: Record<string, string>; served: (body: any) => void }> = {
  idm: {
    method: 'GET',
    url: '/openidm/scheduler/job?_queryId=query-all-ids',
    headers: { 'x-api-key': 'ignored', 'x-openidm-username': 'openidm-admin', 'x-openidm-password': TEST_KEY },
    served: (body) => expect(body).toMatchObject({ result: [], resultCount: 0, totalPagedResults: 0 }),
  },
  azure: {
    method: 'GET',
    url: `/subscriptions/${SUB}/providers/Microsoft.Scheduler/jobCollections?api-version=2016-03-01`,
    headers: { authorization: `Bearer ${TEST_KEY}` },
    served: (body) => expect(body).toHaveProperty('value'),
  },
  puppet: {
    method: 'GET',
    url: '/orchestrator/v1/scheduled_jobs',
    headers: { 'x-authentication': TEST_KEY },
    served: (body) => expect(body).toEqual({ items: [], pagination: { limit: null, offset: 0, total: 0 } }),
  },
  infinni: {
    method: 'GET',
    url: '/scheduler/jobs',
    headers: { 'x-api-key': 'unused' },
    served: (body) => expect(body).toEqual({ Success: true, Result: [] }),
  },
  jim: {
    method: 'GET',
    url: '/api/v1/schedules',
    headers: { 'x-api-key': TEST_KEY },
    served: (body) => expect(body).toMatchObject({ items: [], totalCount: 0 }),
  },
};
const NAMES = ['idm', 'azure', 'puppet', 'infinni', 'jim'];

let sked: TestSked | null = null;
afterEach(async () => {
  await sked?.close();
  sked = null;
});

async function served(flags: Record<string, unknown>): Promise<Record<string, boolean>> {
  sked = await testSked({ ...TEST_FLAGS, ...flags });
  const out: Record<string, boolean> = {};
  for (const name of NAMES) {
    const probe = PROBES[name];
    if (!probe) throw new Error(`no probe for ${name}`);
    const res = await sked.app.inject({ method: probe.method, url: probe.url, headers: probe.headers });
    if (res.statusCode === 200) {
      probe.served(res.json());
      out[name] = true;
    } else {
      // Off: nothing of the surface answers, only the native not-found.
      expect(res.statusCode, `${name}: ${res.body}`).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json()).toMatchObject({ code: 'NOT_FOUND', detail: expect.stringMatching(/^no route for GET /) });
      out[name] = false;
    }
  }
  // The native API is served whatever the surfaces.
  const native = await sked.app.inject({ method: 'GET', url: '/api/v1/jobs', headers: { authorization: `Bearer ${TEST_KEY}` } });
  expect(native.statusCode).toBe(200);
  return out;
}

describe('SKED_COMPAT', () => {
  it('the surfaces are the five SKED_COMPAT names', () => {
    expect(SURFACES.map((s) => s.name).sort()).toEqual([...NAMES].sort());
  });

  it('by default every surface is served', async () => {
    expect(await served({})).toEqual({ idm: true, azure: true, puppet: true, infinni: true, jim: true });
  });

  it('a list serves those surfaces only', async () => {
    expect(await served({ compat: 'idm,jim' })).toEqual({ idm: true, azure: false, puppet: false, infinni: false, jim: true });
  });

  it('each surface can be switched off alone', async () => {
    for (const off of NAMES) {
      const flags = { compat: NAMES.filter((n) => n !== off).join(',') };
      const expected = Object.fromEntries(NAMES.map((n) => [n, n !== off]));
      expect(await served(flags), `with ${off} off`).toEqual(expected);
      await sked?.close();
      sked = null;
    }
  });

  it('empty serves none (JIM paths under /api/v1 get the native 404 too)', async () => {
    expect(await served({ compat: '' })).toEqual({ idm: false, azure: false, puppet: false, infinni: false, jim: false });
  });

  it('is read from the environment (spaces allowed); an unknown surface is refused at start-up', () => {
    expect(resolveConfig({}, { SKED_COMPAT: 'puppet, infinni' }).compat).toEqual(['puppet', 'infinni']);
    expect(resolveConfig({}, { SKED_COMPAT: '' }).compat).toEqual([]);
    expect(resolveConfig({}, {}).compat).toEqual(NAMES);
    expect(() => resolveConfig({}, { SKED_COMPAT: 'idm,quartz' })).toThrow(SkedError);
    expect(() => resolveConfig({}, { SKED_COMPAT: 'idm,quartz' })).toThrow(/unknown surface 'quartz'/);
  });
});

describe('SKED_DISPATCH_<SURFACE>_URL', () => {
  it('sets where each surface\'s platform actions are POSTed; SKED_DISPATCH pairs do the same; none is configured by default', () => {
    expect(resolveConfig({}, {}).dispatchUrls).toEqual({});
    const config = resolveConfig({}, {
      SKED_DISPATCH_IDM_URL: 'http://127.0.0.1:9001/idm',
      SKED_DISPATCH_JIM_URL: 'http://127.0.0.1:9001/jim',
      SKED_DISPATCH: 'puppet=http://127.0.0.1:9001/puppet, infinni=http://127.0.0.1:9001/infinni',
    });
    expect(config.dispatchUrls).toEqual({
      idm: 'http://127.0.0.1:9001/idm',
      jim: 'http://127.0.0.1:9001/jim',
      puppet: 'http://127.0.0.1:9001/puppet',
      infinni: 'http://127.0.0.1:9001/infinni',
    });
    // The per-surface variable wins over a pair for the same surface.
    expect(resolveConfig({}, { SKED_DISPATCH: 'azure=http://a/', SKED_DISPATCH_AZURE_URL: 'http://b/' }).dispatchUrls).toEqual({ azure: 'http://b/' });
    expect(() => resolveConfig({}, { SKED_DISPATCH: 'http://no-surface/' })).toThrow(/not surface=URL/);
  });
});

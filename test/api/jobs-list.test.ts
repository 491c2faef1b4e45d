/** GET /api/v1/jobs: pagination with totals, state/collection/label/q filters, CREST filter, sort. */

import { describe, expect, it } from 'vitest';
import { client, cronJobBody, expectInvalid, jobBody, putJob, useSked, type Client } from './support.js';

const sked = useSked();
const api = client(sked);

async function ids(a: Client, query: string): Promise<string[]> {
  const res = await a.get(`/api/v1/jobs${query}`);
  expect(res.statusCode, `${query}: ${res.body}`).toBe(200);
  return res.json().items.map((j: { id: string }) => j.id);
}
const filtered = (filter: string) => ids(api, `?sort=id&filter=${encodeURIComponent(filter)}`);

/** Five jobs with different states, collections, labels, names and schedules. */
async function seed(): Promise<void> {
  await putJob(
    api,
    'alpha',
    cronJobBody({
      name: 'Alpha export',
      labels: { team: 'billing', tier: '1' },
      schedule: { type: 'cron', expression: '0 0 1 1 *' },
    }),
  );
  await putJob(
    api,
    'beta',
    cronJobBody({
      name: 'Beta report',
      labels: { team: 'ops' },
      collection: 'reports',
      schedule: { type: 'cron', expression: '0 0 1 6 *' },
    }),
  );
  await putJob(
    api,
    'gamma',
    cronJobBody({ name: 'gamma REPORT', labels: { team: 'billing' }, enabled: false }),
  );
  await putJob(
    api,
    'delta',
    jobBody({
      name: 'Delta',
      steps: [{ stepIndex: 0, type: 'noop' }],
      description: 'has "quotes" and \\ inside',
    }),
  );
  await putJob(
    api,
    'eps',
    jobBody({ name: 'Epsilon', collection: 'reports', labels: { 'app.kubernetes.io/name': 'x' } }),
  );
}

describe('pagination', () => {
  it('answers {items, pagination:{limit, offset, total}} with limit 50 and offset 0 by default', async () => {
    for (let i = 0; i < 55; i++) await putJob(api, `job-${String(i).padStart(2, '0')}`);
    const res = await api.get('/api/v1/jobs');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(Object.keys(body).sort()).toEqual(['items', 'pagination']);
    expect(body.pagination).toEqual({ limit: 50, offset: 0, total: 55 });
    expect(body.items).toHaveLength(50);
    expect(body.items[0]).toMatchObject({
      id: expect.any(String),
      name: 'a job',
      state: 'enabled',
      version: 1,
      schedule: { type: 'manual' },
    });
  });

  it('pages with limit and offset; the total counts every match, past the end is empty', async () => {
    for (let i = 0; i < 7; i++) await putJob(api, `j${i}`);
    const pages: string[] = [];
    for (let offset = 0; offset < 7; offset += 3) {
      const body = (await api.get(`/api/v1/jobs?sort=id&limit=3&offset=${offset}`)).json();
      expect(body.pagination).toEqual({ limit: 3, offset, total: 7 });
      pages.push(...body.items.map((j: { id: string }) => j.id));
    }
    expect(pages).toEqual(['j0', 'j1', 'j2', 'j3', 'j4', 'j5', 'j6']);
    const past = (await api.get('/api/v1/jobs?offset=100')).json();
    expect(past).toEqual({ items: [], pagination: { limit: 50, offset: 100, total: 7 } });
  });

  it('accepts limit 1 and 1000; refuses 0, 1001, negative offsets and non-integers naming /query/...', async () => {
    await putJob(api, 'one');
    expect((await api.get('/api/v1/jobs?limit=1000')).json().pagination.limit).toBe(1000);
    expect((await api.get('/api/v1/jobs?limit=1')).json().pagination.limit).toBe(1);
    expectInvalid(await api.get('/api/v1/jobs?limit=1001'), '/query/limit');
    expectInvalid(await api.get('/api/v1/jobs?limit=0'), '/query/limit');
    expectInvalid(await api.get('/api/v1/jobs?limit=-5'), '/query/limit');
    expectInvalid(await api.get('/api/v1/jobs?limit=ten'), '/query/limit');
    expectInvalid(await api.get('/api/v1/jobs?limit=1.5'), '/query/limit');
    expectInvalid(await api.get('/api/v1/jobs?limit=1&limit=2'), '/query/limit');
    expectInvalid(await api.get('/api/v1/jobs?offset=-1'), '/query/offset');
    expectInvalid(await api.get('/api/v1/jobs?offset=x'), '/query/offset');
    expectInvalid(await api.get('/api/v1/jobs?page=2'), '/query/page');
  });
});

describe('state, collection, label and q', () => {
  it('filters by state', async () => {
    await seed();
    expect(await ids(api, '?state=paused')).toEqual(['gamma']);
    expect(await ids(api, '?state=enabled&sort=id')).toEqual(['alpha', 'beta', 'delta', 'eps']);
    expect(await ids(api, '?state=completed')).toEqual([]);
    expectInvalid(await api.get('/api/v1/jobs?state=sleeping'), '/query/state');
  });

  it('filters by collection', async () => {
    await seed();
    expect(await ids(api, '?collection=reports&sort=id')).toEqual(['beta', 'eps']);
    expect((await api.get('/api/v1/jobs?collection=default')).json().pagination.total).toBe(3);
    expect(await ids(api, '?collection=nothing')).toEqual([]);
    expectInvalid(await api.get('/api/v1/jobs?collection=a%20b'), '/query/collection');
  });

  it('filters by label=k:v, repeatable (every label must match)', async () => {
    await seed();
    expect(await ids(api, '?label=team:billing&sort=id')).toEqual(['alpha', 'gamma']);
    expect(await ids(api, '?label=team:billing&label=tier:1')).toEqual(['alpha']);
    expect(await ids(api, '?label=app.kubernetes.io/name:x')).toEqual(['eps']);
    expect(await ids(api, '?label=team:nobody')).toEqual([]);
    expectInvalid(await api.get('/api/v1/jobs?label=nocolon'), '/query/label');
    expectInvalid(await api.get('/api/v1/jobs?label=:v'), '/query/label');
  });

  it('filters by q: name contains, case-insensitive', async () => {
    await seed();
    expect(await ids(api, '?q=report&sort=id')).toEqual(['beta', 'gamma']);
    expect(await ids(api, '?q=EXPORT')).toEqual(['alpha']);
    expect(await ids(api, '?q=zzz')).toEqual([]);
    expectInvalid(await api.get(`/api/v1/jobs?q=${'a'.repeat(201)}`), '/query/q');
  });

  it('combines filters, and the total counts the matches', async () => {
    await seed();
    const body = (await api.get('/api/v1/jobs?state=enabled&collection=reports&q=beta')).json();
    expect(body.items.map((j: { id: string }) => j.id)).toEqual(['beta']);
    expect(body.pagination.total).toBe(1);
  });
});

describe('filter (CREST grammar)', () => {
  it('eq on nested fields, with or without the leading /, with double or single quotes', async () => {
    await seed();
    expect(await filtered('labels/team eq "billing"')).toEqual(['alpha', 'gamma']);
    expect(await filtered('/labels/team eq "billing"')).toEqual(['alpha', 'gamma']);
    expect(await filtered("schedule/type eq 'manual'")).toEqual(['delta', 'eps']);
    expect(await filtered('state eq "paused"')).toEqual(['gamma']);
  });

  it('co, sw, and the ordering operators on strings and numbers', async () => {
    await seed();
    // Comparisons are case-sensitive (q is the case-insensitive one).
    expect(await filtered('name co "port"')).toEqual(['alpha', 'beta']);
    expect(await filtered('name co "REPORT"')).toEqual(['gamma']);
    expect(await filtered('name sw "Be"')).toEqual(['beta']);
    expect(await filtered('id gt "delta"')).toEqual(['eps', 'gamma']);
    expect(await filtered('id ge "delta"')).toEqual(['delta', 'eps', 'gamma']);
    expect(await filtered('id lt "beta"')).toEqual(['alpha']);
    expect(await filtered('id le "beta"')).toEqual(['alpha', 'beta']);
    expect(await filtered('version ge 1 and version le 1')).toEqual([
      'alpha',
      'beta',
      'delta',
      'eps',
      'gamma',
    ]);
    expect(await filtered('version gt 1')).toEqual([]);
    expect(await filtered('status/runCount eq 0 and status/lastRun eq null')).toEqual([
      'alpha',
      'beta',
      'delta',
      'eps',
      'gamma',
    ]);
  });

  it('pr (present), and pointer escapes ~1 for "/"', async () => {
    await seed();
    expect(await filtered('labels/tier pr')).toEqual(['alpha']);
    expect(await filtered('pause pr')).toEqual(['gamma']);
    expect(await filtered('labels/app.kubernetes.io~1name eq "x"')).toEqual(['eps']);
  });

  it('and, or, ! and parentheses, with "and" binding tighter than "or"', async () => {
    await seed();
    expect(await filtered('labels/team eq "billing" and state eq "paused"')).toEqual(['gamma']);
    expect(await filtered('labels/team eq "billing" or schedule/type eq "manual"')).toEqual([
      'alpha',
      'delta',
      'eps',
      'gamma',
    ]);
    expect(await filtered('!(labels/team eq "billing")')).toEqual(['beta', 'delta', 'eps']);
    expect(await filtered('! labels/team pr')).toEqual(['delta', 'eps']);
    expect(await filtered('state eq "enabled" and labels/team eq "billing" or id eq "eps"')).toEqual([
      'alpha',
      'eps',
    ]);
    expect(await filtered('state eq "enabled" and (labels/team eq "billing" or id eq "eps")')).toEqual([
      'alpha',
      'eps',
    ]);
    expect(await filtered('(id eq "alpha" or id eq "beta") and !(id eq "alpha")')).toEqual(['beta']);
    expect(await filtered('true')).toEqual(['alpha', 'beta', 'delta', 'eps', 'gamma']);
    expect(await filtered('false')).toEqual([]);
  });

  it('matches any element of an array (steps/type)', async () => {
    await seed();
    expect(await filtered('steps/type eq "noop"')).toEqual(['delta']);
  });

  it('ptr[expr]: one element of the array satisfies the inner filter, its pointers relative to the element', async () => {
    await seed();
    await putJob(
      api,
      'mixed',
      jobBody({
        name: 'Mixed',
        steps: [
          { stepIndex: 0, name: 'fetch', type: 'exec', command: '/bin/true', args: ['--full'] },
          { stepIndex: 1, name: 'pause', type: 'noop' },
        ],
      }),
    );
    expect(await filtered('steps[type eq "noop"]')).toEqual(['delta', 'mixed']);
    expect(await filtered('steps[type eq "exec" and name eq "fetch"]')).toEqual(['mixed']);
    // the two conditions hold on different steps: spread over the array they match, on one step not
    expect(await filtered('steps/type eq "noop" and steps/name eq "fetch"')).toEqual(['mixed']);
    expect(await filtered('steps[type eq "noop" and name eq "fetch"]')).toEqual([]);
    expect(await filtered('/steps/[stepIndex ge 1 and !(name pr)]')).toEqual([]);
    expect(await filtered('steps[stepIndex ge 1 and name sw "pa"]')).toEqual(['mixed']);
    expect(await filtered('steps[args[/ eq "--full"]]')).toEqual(['mixed']);
    expect(await filtered('!steps[true] and state eq "enabled"')).toEqual(['alpha', 'beta', 'eps']);
    // not an array: no match
    expect(await filtered('labels[team pr]')).toEqual([]);
    // the bulk actions select with the same filter
    const paused = await api.post('/api/v1/jobs/pause', { filter: 'steps[type eq "exec"]', reason: 'r' });
    expect(paused.statusCode, paused.body).toBe(200);
    expect(await filtered('state eq "paused"')).toEqual(['gamma', 'mixed']);
  });

  it('extended operators (any other ASCII token) parse and match nothing', async () => {
    await seed();
    expect(await filtered('name xx "a"')).toEqual([]);
    expect(await filtered('id regex "a.*"')).toEqual([]);
    expect(await filtered('!(id xx "alpha")')).toEqual(['alpha', 'beta', 'delta', 'eps', 'gamma']);
    expect(await filtered('id xx 1 or id eq "beta"')).toEqual(['beta']);
    expect(await filtered('id EQ "beta" AND state Eq "enabled"')).toEqual(['beta']);
  });

  it('quoted strings with escaped quotes and backslashes; keywords inside quotes are values', async () => {
    await seed();
    expect(await filtered('description co "\\"quotes\\""')).toEqual(['delta']);
    expect(await filtered('description co "\\\\"')).toEqual(['delta']);
    expect(await filtered('name eq "and"')).toEqual([]);
  });

  it('pages and sorts the filtered jobs, and combines with the other parameters', async () => {
    await seed();
    const body = (
      await api.get(`/api/v1/jobs?limit=1&offset=1&sort=-id&filter=${encodeURIComponent('labels/team pr')}`)
    ).json();
    expect(body.items.map((j: { id: string }) => j.id)).toEqual(['beta']);
    expect(body.pagination).toEqual({ limit: 1, offset: 1, total: 3 });
    expect(await ids(api, `?state=enabled&filter=${encodeURIComponent('labels/team eq "billing"')}`)).toEqual(
      ['alpha'],
    );
  });

  it('answers 400 naming /query/filter for a malformed filter', async () => {
    await seed();
    const bad = [
      'name eq',
      'name eq "unterminated',
      'name xx',
      'name xx unquoted',
      'steps[type eq "noop"',
      'steps[]',
      'steps]',
      '[type eq "noop"]',
      'steps[type eq "noop")',
      'name eq unquoted',
      '(name eq "a"',
      'name eq "a")',
      '!',
      ')',
      'name eq "a" and',
      'and name eq "a"',
      'name eq "a" or or name eq "b"',
      '"name" eq "a"',
      'name',
    ];
    for (const filter of bad) {
      const problem = expectInvalid(
        await api.get(`/api/v1/jobs?filter=${encodeURIComponent(filter)}`),
        '/query/filter',
      );
      expect(problem.errors[0].message, filter).toMatch(/character \d+/);
    }
    expectInvalid(await api.get(`/api/v1/jobs?filter=${'a'.repeat(4097)}`), '/query/filter');
  });
});

describe('sort', () => {
  it('sorts by each key, ascending or with - descending', async () => {
    await seed();
    expect(await ids(api, '?sort=id')).toEqual(['alpha', 'beta', 'delta', 'eps', 'gamma']);
    expect(await ids(api, '?sort=-id')).toEqual(['gamma', 'eps', 'delta', 'beta', 'alpha']);
    expect(await ids(api, '?sort=name')).toEqual(['alpha', 'beta', 'delta', 'eps', 'gamma']);
    expect(await ids(api, '?sort=-name')).toEqual(['gamma', 'eps', 'delta', 'beta', 'alpha']);
    for (const [sort, sign] of [
      ['createdAt', 1],
      ['-createdAt', -1],
    ] as const) {
      const times = (await api.get(`/api/v1/jobs?sort=${sort}`))
        .json()
        .items.map((j: { createdAt: string }) => Date.parse(j.createdAt));
      for (let i = 1; i < times.length; i++)
        expect(sign * (times[i] - times[i - 1]), sort).toBeGreaterThanOrEqual(0);
    }
    // alpha fires on 1 January, beta on 1 June; the rest have no next fire.
    expect((await ids(api, '?sort=nextFireTime')).slice(0, 2).sort()).toEqual(['alpha', 'beta']);
  });

  it('sorts by several keys', async () => {
    await seed();
    expect(await ids(api, '?sort=state,-id')).toEqual(['eps', 'delta', 'beta', 'alpha', 'gamma']);
    expect(await ids(api, '?sort=-state,id')).toEqual(['gamma', 'alpha', 'beta', 'delta', 'eps']);
  });

  it('sorts updatedAt after a change', async () => {
    await seed();
    await api.patch('/api/v1/jobs/alpha', { description: 'changed' });
    expect((await ids(api, '?sort=-updatedAt'))[0]).toBe('alpha');
  });

  it('refuses unknown sort keys naming /query/sort', async () => {
    for (const sort of ['foo', '-', ',', 'name,bogus', 'schedule'])
      expectInvalid(await api.get(`/api/v1/jobs?sort=${encodeURIComponent(sort)}`), '/query/sort');
  });
});

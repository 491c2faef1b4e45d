/**
 * IDM queries: `_queryFilter` with the CREST grammar (as the IDM admin UI writes it, single quotes and
 * trailing slashes included), `_queryId=query-all-ids`, paging with cookies and offsets, `_sortKeys`,
 * `_fields`; the triggers (`/trigger`, `/acquiredTriggers`, `/waitingTriggers`) with the node holding
 * each acquired fire; `listCurrentlyExecutingJobs` and the admin UI's "running now" filter on a job whose
 * dispatched action is still going.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, useSked, waitFor } from '../../api/support.js';
import {
  expectIdmError,
  idmClient,
  scriptSchedule,
  startDispatchTarget,
  type DispatchTarget,
} from './support.js';

let target: DispatchTarget;
// Fires within the hour are acquired at once, so triggers show the node holding them.
const flags: Record<string, unknown> = { lookahead: 'PT1H' };
beforeAll(async () => {
  target = await startDispatchTarget(true);
  flags['dispatch'] = `idm=${target.url}`;
});
afterAll(async () => {
  await target.close();
});

const sked = useSked(flags);
const idm = idmClient(sked);
const idmV1 = idmClient(sked, '1.0');
const api = client(sked);

/** An hourly schedule whose next fire is about half an hour away: acquired (lookahead 1 h), never fired during a test. */
function halfHourAway(): string {
  return `0 ${(new Date().getUTCMinutes() + 30) % 60} * * * ?`;
}

const recon = (mapping: string) =>
  scriptSchedule({ invokeService: 'sync', invokeContext: { action: 'reconcile', mapping } });
const liveSync = (source: string) =>
  scriptSchedule({ invokeService: 'provisioner', invokeContext: { action: 'liveSync', source } });
const roles = scriptSchedule({
  invokeContext: {
    script: { type: 'text/javascript', file: 'roles/onSync-roles.js', source: 'roles/onSync-roles' },
  },
});

async function seed(): Promise<void> {
  await idm.put('/openidm/scheduler/job/recon-ldap', recon('systemLdapAccounts_managedUser'));
  await idm.put('/openidm/scheduler/job/recon-csv', recon('systemCsvAccounts_managedUser'));
  await idm.put('/openidm/scheduler/job/livesync-ldap', liveSync('system/ldap/account'));
  await idm.put('/openidm/scheduler/job/roles', roles);
  await idm.put('/openidm/scheduler/job/script', scriptSchedule({ persisted: false }));
}

const ids = (res: { json(): any }): string[] => res.json().result.map((o: { _id: string }) => o._id);
const query = (filter: string, extra = '') =>
  idm.get(`/openidm/scheduler/job?_queryFilter=${encodeURIComponent(filter)}${extra}`);

describe('_queryFilter', () => {
  it("answers IDM's query envelope", async () => {
    await seed();
    const res = await idm.get('/openidm/scheduler/job?_queryFilter=true');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(Object.keys(body)).toEqual([
      'result',
      'resultCount',
      'pagedResultsCookie',
      'totalPagedResultsPolicy',
      'totalPagedResults',
      'remainingPagedResults',
    ]);
    expect(body).toMatchObject({
      resultCount: 5,
      pagedResultsCookie: null,
      totalPagedResultsPolicy: 'EXACT',
      totalPagedResults: 5,
      remainingPagedResults: -1,
    });
    expect(ids(res)).toEqual(['livesync-ldap', 'recon-csv', 'recon-ldap', 'roles', 'script']);
    expect(body.result[0]).toEqual((await idm.get('/openidm/scheduler/job/livesync-ldap')).json());
  });

  it("the admin UI's filters (single quotes, trailing slashes, !, pr, co)", async () => {
    await seed();
    expect(
      ids(
        await query(
          "invokeContext/action/ eq 'reconcile' and invokeContext/mapping/ eq 'systemLdapAccounts_managedUser'",
        ),
      ),
    ).toEqual(['recon-ldap']);
    expect(ids(await query("invokeContext/action/ eq 'reconcile'"))).toEqual(['recon-csv', 'recon-ldap']);
    expect(ids(await query("invokeContext/action/ eq 'liveSync'"))).toEqual(['livesync-ldap']);
    expect(ids(await query('persisted eq false'))).toEqual(['script']);
    expect(ids(await query("invokeContext/script/source co 'roles/onSync-roles'"))).toEqual(['roles']);
    expect(
      ids(
        await query(
          "invokeContext/script/ pr and !(invokeContext/script/source co 'roles/onSync-roles') and !(invokeContext/script/source co 'triggerSyncCheck')",
        ),
      ),
    ).toEqual(['script']);
    expect(ids(await query('/invokeService eq "org.forgerock.openidm.sync" or (type eq "simple")'))).toEqual([
      'recon-csv',
      'recon-ldap',
    ]);
    expect(ids(await query('_id sw "recon" and !(_id eq "recon-csv")'))).toEqual(['recon-ldap']);
    expect(ids(await query('nextRunDate ge "2099-01-01T00:00:00.000Z" and enabled eq true'))).toHaveLength(5);
    expect(ids(await query('false'))).toEqual([]);
  });

  it('extended operators parse and match nothing, as in ForgeRock’s in-memory filter', async () => {
    await seed();
    const res = await query("enabled xx 'x'");
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ result: [], resultCount: 0, totalPagedResults: 0 });
    expect(ids(await query("!(enabled xx 'x')"))).toHaveLength(5);
    expect(ids(await query("_id matches 'recon.*' or _id eq 'roles'"))).toEqual(['roles']);
  });

  it('refuses filters CREST refuses, other query ids and query expressions', async () => {
    expectIdmError(
      await query('persisted eq true and'),
      400,
      'Bad Request',
      /could not be parsed as a valid query filter/,
    );
    expectIdmError(await query('invokeService eq sync'), 400, 'Bad Request', /could not be parsed/);
    expectIdmError(await query('enabled eq true and (persisted pr'), 400, 'Bad Request', /expected '\)'/);
    expectIdmError(await query('triggers[nodeId pr'), 400, 'Bad Request', /expected '\]'/);
    expectIdmError(await query('triggers[]'), 400, 'Bad Request', /expected a field pointer/);
    expectIdmError(await query("enabled xx"), 400, 'Bad Request', /expected a value after 'xx'/);
    expectIdmError(
      await idm.get('/openidm/scheduler/job?_queryId=query-all'),
      400,
      'Bad Request',
      "only query-id of 'query-all-ids' is supported.",
    );
    expectIdmError(await idm.get('/openidm/scheduler/job?_queryExpression=select'), 400, 'Bad Request');
    expectIdmError(await idm.get('/openidm/scheduler/job'), 400, 'Bad Request', /_queryFilter or _queryId/);
  });

  it('_queryId=query-all-ids returns {_id} objects only', async () => {
    await seed();
    const res = await idm.get('/openidm/scheduler/job?_queryId=query-all-ids');
    expect(res.json().result).toEqual([
      { _id: 'livesync-ldap' },
      { _id: 'recon-csv' },
      { _id: 'recon-ldap' },
      { _id: 'roles' },
      { _id: 'script' },
    ]);
    expect(res.json().totalPagedResults).toBe(5);
  });
});

describe('paging, sorting, projection', () => {
  it('_pageSize with cookies (the next offset) until the last page, and _pagedResultsOffset', async () => {
    await seed();
    const first = (await idm.get('/openidm/scheduler/job?_queryFilter=true&_pageSize=2')).json();
    expect(first).toMatchObject({
      resultCount: 2,
      pagedResultsCookie: '2',
      totalPagedResults: 5,
      remainingPagedResults: -1,
    });
    const second = (
      await idm.get('/openidm/scheduler/job?_queryFilter=true&_pageSize=2&_pagedResultsCookie=2')
    ).json();
    expect(second.result.map((o: { _id: string }) => o._id)).toEqual(['recon-ldap', 'roles']);
    expect(second.pagedResultsCookie).toBe('4');
    const last = (
      await idm.get('/openidm/scheduler/job?_queryFilter=true&_pageSize=2&_pagedResultsCookie=4')
    ).json();
    expect(last).toMatchObject({ resultCount: 1, pagedResultsCookie: null });
    const offset = (
      await idm.get('/openidm/scheduler/job?_queryFilter=true&_pageSize=2&_pagedResultsOffset=1')
    ).json();
    expect(offset.result.map((o: { _id: string }) => o._id)).toEqual(['recon-csv', 'recon-ldap']);
    expect(offset.pagedResultsCookie).toBe('3');
    expect((await idm.get('/openidm/scheduler/job?_queryFilter=true&_pageSize=0')).json().resultCount).toBe(
      5,
    );
    expectIdmError(
      await idm.get('/openidm/scheduler/job?_queryFilter=true&_pageSize=ten'),
      400,
      'Bad Request',
      /_pageSize/,
    );
  });

  it('_sortKeys with - for descending, _id as the tie-break; _fields projects', async () => {
    await seed();
    expect(ids(await idm.get('/openidm/scheduler/job?_queryFilter=true&_sortKeys=-_id'))).toEqual([
      'script',
      'roles',
      'recon-ldap',
      'recon-csv',
      'livesync-ldap',
    ]);
    expect(ids(await idm.get('/openidm/scheduler/job?_queryFilter=true&_sortKeys=invokeService'))).toEqual([
      'livesync-ldap',
      'roles',
      'script',
      'recon-csv',
      'recon-ldap',
    ]);
    expect(ids(await idm.get('/openidm/scheduler/job?_queryFilter=true&_sortKeys=-persisted,-_id'))).toEqual([
      'roles',
      'recon-ldap',
      'recon-csv',
      'livesync-ldap',
      'script',
    ]);
    const projected = (
      await idm.get(
        '/openidm/scheduler/job?_queryFilter=_id eq "recon-ldap"&_fields=invokeContext/mapping,enabled',
      )
    ).json().result;
    expect(projected).toEqual([
      {
        _id: 'recon-ldap',
        _rev: '1',
        invokeContext: { mapping: 'systemLdapAccounts_managedUser' },
        enabled: true,
      },
    ]);
  });
});

describe('triggers', () => {
  it('/trigger and /trigger/{id}: acquired triggers carry the node id, (nodeId pr) and !(nodeId pr) split them', async () => {
    const soon = halfHourAway();
    await idm.put('/openidm/scheduler/job/soon', scriptSchedule({ schedule: soon }));
    await idm.put('/openidm/scheduler/job/later', scriptSchedule());
    await idm.put('/openidm/scheduler/job/off', scriptSchedule({ enabled: false }));
    await waitFor(
      async () =>
        (await idm.get('/openidm/scheduler/trigger/scheduler-service-group.trigger-soon')).json().nodeId ===
        'test-node'
          ? true
          : undefined,
      'the fire of soon to be acquired',
    );
    const all = (await idm.get('/openidm/scheduler/trigger?_queryFilter=true')).json();
    expect(all.result.map((t: { _id: string }) => t._id)).toEqual([
      'scheduler-service-group.trigger-later',
      'scheduler-service-group.trigger-soon',
    ]);
    expect(
      ids(await idm.get(`/openidm/scheduler/trigger?_queryFilter=${encodeURIComponent('(nodeId pr)')}`)),
    ).toEqual(['scheduler-service-group.trigger-soon']);
    expect(
      ids(await idm.get(`/openidm/scheduler/trigger?_queryFilter=${encodeURIComponent('!(nodeId pr)')}`)),
    ).toEqual(['scheduler-service-group.trigger-later']);
    // As the documentation writes it in a URL: a + for the space.
    expect(ids(await idm.get('/openidm/scheduler/trigger?_queryFilter=(nodeId+pr)'))).toEqual([
      'scheduler-service-group.trigger-soon',
    ]);
    const one = (await idm.get('/openidm/scheduler/trigger/scheduler-service-group.trigger-soon')).json();
    expect(one).toMatchObject({
      _id: 'scheduler-service-group.trigger-soon',
      group: 'scheduler-service-group',
      jobKey: 'scheduler-service-group.soon',
      name: 'trigger-soon',
      nodeId: 'test-node',
      state: 'NORMAL',
      calendar: null,
      previousState: null,
    });
    expect(one.serialized).toMatchObject({
      type: 'CronTriggerImpl',
      cronEx: { cronExpression: soon },
    });
    expect((await idm.get('/openidm/scheduler/job/soon')).json().triggers).toEqual([one]);
    expectIdmError(
      await idm.get('/openidm/scheduler/trigger/scheduler-service-group.trigger-off'),
      404,
      'Not Found',
      'Trigger does not exist',
    );
    expectIdmError(await idm.get('/openidm/scheduler/trigger/nonsense'), 404, 'Not Found');
  });

  it("ptr[expr] over a job's triggers: one trigger must satisfy the whole inner filter", async () => {
    await idm.put('/openidm/scheduler/job/soon', scriptSchedule({ schedule: halfHourAway() }));
    await idm.put('/openidm/scheduler/job/later', scriptSchedule());
    await idm.put('/openidm/scheduler/job/off', scriptSchedule({ enabled: false }));
    await waitFor(
      async () =>
        (await idm.get('/openidm/scheduler/trigger/scheduler-service-group.trigger-soon')).json().nodeId ===
        'test-node'
          ? true
          : undefined,
      'the fire of soon to be acquired',
    );
    expect(ids(await query('triggers[nodeId pr]'))).toEqual(['soon']);
    expect(ids(await query("triggers[nodeId eq 'test-node' and state eq 'NORMAL']"))).toEqual(['soon']);
    expect(ids(await query('triggers[!(nodeId pr)]'))).toEqual(['later']);
    expect(ids(await query('/triggers/[_id sw "scheduler-service-group.trigger-"]'))).toEqual(['later', 'soon']);
    // disabled: no triggers at all
    expect(ids(await query('!triggers[true]'))).toEqual(['off']);
    expect(ids(await query("enabled eq true and triggers[state eq 'PAUSED']"))).toEqual([]);
    expect(ids(await query("triggers[jobKey eq 'scheduler-service-group.later'] or _id eq 'off'"))).toEqual([
      'later',
      'off',
    ]);
    // version 1: the 5/6 trigger shape, integer states
    expect(ids(await idmV1.get(`/openidm/scheduler/job?_queryFilter=${encodeURIComponent('triggers[acquired eq true and state eq 0]')}`))).toEqual(['soon']);
    // the trigger collection itself has no array to descend into: no match, not an error
    const onTriggers = await idm.get(`/openidm/scheduler/trigger?_queryFilter=${encodeURIComponent('serialized[true]')}`);
    expect(onTriggers.statusCode).toBe(200);
    expect(ids(onTriggers)).toEqual([]);
  });

  it('/acquiredTriggers (per node) and /waitingTriggers are the repo objects', async () => {
    await idm.put('/openidm/scheduler/job/soon', scriptSchedule({ schedule: halfHourAway() }));
    await idm.put('/openidm/scheduler/job/later', scriptSchedule());
    const acquired = await waitFor(async () => {
      const body = (await idm.get('/openidm/scheduler/acquiredTriggers')).json();
      return body['test-node'] ? body : undefined;
    }, 'an acquired trigger');
    expect(acquired).toEqual({
      _id: 'acquiredTriggers',
      _rev: expect.any(String),
      'test-node': ['scheduler-service-group_$x$x$_trigger-soon'],
    });
    expect((await idm.get('/openidm/scheduler/waitingTriggers')).json()).toEqual({
      _id: 'waitingTriggers',
      _rev: expect.any(String),
      names: ['scheduler-service-group_$x$x$_trigger-later'],
    });
  });

  it('version 1 writes the 5/6 trigger shape with integer states', async () => {
    await idm.put('/openidm/scheduler/job/later', scriptSchedule());
    const job = (await idmV1.get('/openidm/scheduler/job/later')).json();
    expect(job).not.toHaveProperty('previousRunDate');
    expect(job).not.toHaveProperty('recoverable');
    expect(job).not.toHaveProperty('repeatInterval');
    expect(job.triggers).toEqual([
      {
        _id: 'scheduler-service-group.trigger-later',
        _rev: '1',
        name: 'trigger-later',
        group: 'scheduler-service-group',
        state: 0,
        previous_state: -1,
        acquired: false,
        nodeId: null,
        serialized: expect.any(String),
      },
    ]);
    expect(JSON.parse(job.triggers[0].serialized)).toMatchObject({ type: 'CronTriggerImpl' });
  });
});

describe('running jobs', () => {
  it('listCurrentlyExecutingJobs, the "running now" filter, and the dispatched action', async () => {
    await idm.put('/openidm/scheduler/job/busy', recon('systemLdapAccounts_managedUser'));
    await idm.put('/openidm/scheduler/job/idle', scriptSchedule());
    expect((await idm.post('/openidm/scheduler/job?_action=listCurrentlyExecutingJobs')).json()).toEqual([]);
    const before = target.received.length;
    expect((await idm.post('/openidm/scheduler/job/busy?_action=trigger')).json()).toEqual({ success: true });
    await waitFor(async () => (target.received.length > before ? true : undefined), 'the dispatch of busy');
    const dispatched = target.received[before] as Record<string, any>;
    expect(dispatched).toMatchObject({
      surface: 'idm',
      jobId: 'busy',
      action: {
        invokeService: 'org.forgerock.openidm.sync',
        invokeContext: { action: 'reconcile', mapping: 'systemLdapAccounts_managedUser' },
        invokeLogLevel: 'info',
      },
    });

    const executing = (await idm.post('/openidm/scheduler/job?_action=listCurrentlyExecutingJobs')).json();
    expect(executing).toEqual([
      {
        enabled: true,
        persisted: true,
        recoverable: false,
        misfirePolicy: 'fireAndProceed',
        schedule: '0 0 12 1 1 ? 2099',
        repeatInterval: 0,
        repeatCount: 0,
        type: 'cron',
        invokeService: 'org.forgerock.openidm.sync',
        invokeContext: { action: 'reconcile', mapping: 'systemLdapAccounts_managedUser' },
        invokeLogLevel: 'info',
        timeZone: null,
        startTime: null,
        endTime: null,
        concurrentExecution: false,
      },
    ]);
    // The admin UI's "running now" (IDM 5/6 integer states): persisted, acquired by a node, state > 0.
    const runningNow = encodeURIComponent(
      "persisted eq true and triggers/0/nodeId pr and triggers/0/state gt 0 and triggers/0/nodeId eq 'test-node'",
    );
    expect(ids(await idmV1.get(`/openidm/scheduler/job?_queryFilter=${runningNow}`))).toEqual(['busy']);
    expect(ids(await query("triggers[state eq 'BLOCKED' and nodeId eq 'test-node']"))).toEqual(['busy']);
    expect((await idm.get('/openidm/scheduler/job/busy')).json().triggers[0]).toMatchObject({
      state: 'BLOCKED',
      nodeId: 'test-node',
    });

    target.releaseAll();
    await waitFor(
      async () =>
        (await api.get('/api/v1/runs?jobId=busy&status=succeeded')).json().pagination.total === 1
          ? true
          : undefined,
      'the run of busy to succeed',
    );
    expect((await idm.post('/openidm/scheduler/job?_action=listCurrentlyExecutingJobs')).json()).toEqual([]);
    expect(ids(await idmV1.get(`/openidm/scheduler/job?_queryFilter=${runningNow}`))).toEqual([]);
  });
});

/**
 * Classic Azure Scheduler, the seed's operations around jobs (001): Register Subscription, Get Resource
 * Provider Properties, Create / Get / Get all / Delete Cloud Service, Check Name Availability, and
 * Create / Update / Get / Delete Job Collection (XML, 202 + x-ms-request-id); plus the classic
 * behaviours of SEED-APIS §2: x-ms-version, case-insensitive routing, errors, authentication.
 */

import { describe, expect, it } from 'vitest';
import { TEST_FLAGS, useSked } from '../../api/support.js';
import { AUTH, classic, CLASSIC, classicError, collectionXml, SUB } from './support.js';

const sked = useSked(TEST_FLAGS);
const api = classic(sked);

const tag = (xml: string, name: string): string | undefined => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];

describe('job collections (XML)', () => {
  it('Create Job Collection: PUT with the XML body gives 202, x-ms-request-id and an empty body; sked gets the quotas', async () => {
    const res = await api.put(`${CLASSIC}/jc1`, collectionXml('Standard', '<Quota><MaxJobCount>10</MaxJobCount><MaxJobOccurrence>500</MaxJobOccurrence><MaxRecurrence><Frequency>Second</Frequency><Interval>1</Interval></MaxRecurrence></Quota>'));
    expect(res.statusCode, res.body).toBe(202);
    expect(res.headers['x-ms-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body).toBe('');
    const native = (await sked().app.inject({ url: '/api/v1/collections/jc1' })).json();
    expect(native).toMatchObject({ name: 'jc1', maxJobs: 10, minInterval: 'PT1S' });
    expect((await api.get(`${CLASSIC}/jc1`)).body).toContain('<Quota><MaxJobCount>10</MaxJobCount><MaxJobOccurrence>500</MaxJobOccurrence><MaxRecurrence><Frequency>Second</Frequency><Interval>1</Interval></MaxRecurrence></Quota>');
  });

  it('plans bring their quotas: Free = 5 jobs and hourly, Standard = 50 and every minute; no IntrinsicSettings = Standard', async () => {
    expect((await api.put(`${CLASSIC}/free`, collectionXml('Free'))).statusCode).toBe(202);
    expect((await api.put(`${CLASSIC}/std`, collectionXml('standard'))).statusCode).toBe(202);
    expect((await api.put(`${CLASSIC}/bare`, '<Resource xmlns="http://schemas.microsoft.com/windowsazure"/>')).statusCode).toBe(202);
    const get = async (name: string) => (await sked().app.inject({ url: `/api/v1/collections/${name}` })).json();
    expect(await get('free')).toMatchObject({ maxJobs: 5, minInterval: 'PT1H' });
    expect(await get('std')).toMatchObject({ maxJobs: 50, minInterval: 'PT1M' });
    expect(await get('bare')).toMatchObject({ maxJobs: 50, minInterval: 'PT1M' });
  });

  it('Get Job Collection: the Resource XML with plan, quota, ETag, state and type', async () => {
    await api.put(`${CLASSIC}/jc1`, collectionXml('Free', '<Quota><MaxJobCount>3</MaxJobCount></Quota>'));
    const res = await api.get(`${CLASSIC}/jc1?api-version=2014-04-01`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/xml/);
    expect(res.headers['x-ms-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const xml = res.body;
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?><Resource xmlns="http:\/\/schemas.microsoft.com\/windowsazure" xmlns:i="http:\/\/www.w3.org\/2001\/XMLSchema-instance">/);
    expect(xml).toContain('<IntrinsicSettings><Plan>Free</Plan><Quota><MaxJobCount>3</MaxJobCount><MaxRecurrence><Frequency>Hour</Frequency><Interval>1</Interval></MaxRecurrence></Quota></IntrinsicSettings>');
    expect(tag(xml, 'Name')).toBe('jc1');
    expect(tag(xml, 'ETag')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(tag(xml, 'Result')).toBe('Succeeded');
    expect(tag(xml, 'HttpCode')).toBe('200');
    expect(tag(xml, 'SchemaVersion')).toBe('1.1');
    expect(tag(xml, 'State')).toBe('Started');
    expect(tag(xml, 'Type')).toBe('jobcollections');
  });

  it('Update Job Collection: PUT with If-Match = ETag (202); without it the collection exists (409); a stale ETag is 412', async () => {
    await api.put(`${CLASSIC}/jc1`, collectionXml('Free'));
    const etag = tag((await api.get(`${CLASSIC}/jc1`)).body, 'ETag') as string;
    const again = await api.put(`${CLASSIC}/jc1`, collectionXml('Standard'));
    expect(again.statusCode).toBe(409);
    expect(classicError(again).code).toBe('ConflictError');
    const updated = await api.put(`${CLASSIC}/jc1`, collectionXml('Standard'), { 'if-match': etag });
    expect(updated.statusCode, updated.body).toBe(202);
    const xml = (await api.get(`${CLASSIC}/jc1`)).body;
    expect(tag(xml, 'Plan')).toBe('Standard');
    expect(tag(xml, 'MaxJobCount')).toBe('50');
    expect(tag(xml, 'ETag')).not.toBe(etag);
    const stale = await api.put(`${CLASSIC}/jc1`, collectionXml('Free'), { 'if-match': etag });
    expect(stale.statusCode).toBe(412);
    expect((await api.put(`${CLASSIC}/jc1`, collectionXml('Free'), { 'if-match': '*' })).statusCode).toBe(202);
  });

  it('Delete Job Collection: 202, its jobs go with it, then 404 ResourceNotFound', async () => {
    await api.put(`${CLASSIC}/jc1`, collectionXml());
    await api.put(`${CLASSIC}/jc1/jobs/j1`, { startTime: new Date(Date.now() + 86_400_000).toISOString(), action: { type: 'http', request: { uri: 'http://127.0.0.1:9/', method: 'GET' } } });
    const res = await api.del(`${CLASSIC}/jc1`);
    expect(res.statusCode).toBe(202);
    expect((await sked().app.inject({ url: '/api/v1/jobs/jc1.j1' })).statusCode).toBe(404);
    const gone = await api.get(`${CLASSIC}/jc1`);
    expect(gone.statusCode).toBe(404);
    expect(classicError(gone).code).toBe('ResourceNotFound');
    expect((await api.del(`${CLASSIC}/jc1`)).statusCode).toBe(404);
    // sked's own default collection cannot go, and its jobs are left alone.
    expect(classicError(await api.del(`${CLASSIC}/default`)).code).toBe('ConflictError');
  });

  it('refuses XML it cannot read (400 InvalidXmlRequest), DTDs included, and unknown plans (400)', async () => {
    expect(classicError(await api.put(`${CLASSIC}/x1`, '<Resource><IntrinsicSettings>')).code).toBe('InvalidXmlRequest');
    expect(classicError(await api.put(`${CLASSIC}/x1`, '<!DOCTYPE r [<!ENTITY e "x">]><Resource/>')).code).toBe('InvalidXmlRequest');
    expect(classicError(await api.put(`${CLASSIC}/x1`, '<CloudService/>')).code).toBe('InvalidXmlRequest');
    const count = await api.put(`${CLASSIC}/x1`, collectionXml('Free', '<Quota><MaxJobCount>lots</MaxJobCount></Quota>'));
    expect(classicError(count)).toMatchObject({ code: 'BadRequest', message: expect.stringContaining('MaxJobCount') });
    const plan = await api.put(`${CLASSIC}/x1`, collectionXml('Gold'));
    expect(plan.statusCode).toBe(400);
    expect(classicError(plan)).toMatchObject({ code: 'BadRequest', message: expect.stringContaining('Plan') });
  });

  it('Check Name Availability: POST ?op=checknameavailability&resourceName=', async () => {
    await api.put(`${CLASSIC}/taken`, collectionXml());
    const check = async (name: string) => {
      const res = await api.post(`/${SUB}/cloudservices/cs-west/resources/scheduler/jobCollections/?op=checknameavailability&resourceName=${name}`);
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('<ResourceNameAvailabilityResponse xmlns="http://schemas.microsoft.com/windowsazure"');
      return tag(res.body, 'IsAvailable');
    };
    expect(await check('taken')).toBe('false');
    expect(await check('free-name')).toBe('true');
    expect(await check('bad%20name')).toBe('false');
  });
});

describe('cloud services, registration, provider properties', () => {
  it('Register Subscription and Get Resource Provider Properties', async () => {
    expect((await api.put(`/${SUB}/services?service=scheduler.JobCollections&action=register`)).statusCode).toBe(200);
    expect(classicError(await api.put(`/${SUB}/services?service=other&action=register`)).code).toBe('MissingOrInvalidRequiredQueryParameter');
    const props = await api.get(`/${SUB}/resourceproviders/scheduler/Properties?resourceType=JobCollections`);
    expect(props.statusCode).toBe(200);
    expect(props.body).toContain('<ResourceProviderProperty><Key>plans</Key><Value>Free,Standard,P10Premium,P20Premium</Value></ResourceProviderProperty>');
  });

  it('Create / Get / Get all / Delete Cloud Service: collections remember the cloud service they were made in', async () => {
    const body = '<CloudService xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://schemas.microsoft.com/windowsazure"><Label>MyApp3</Label><Description>My Cloud Service for app3</Description><GeoRegion>South Central US</GeoRegion></CloudService>';
    expect((await api.put(`/${SUB}/cloudServices/cs-south`, body)).statusCode).toBe(202);
    await api.put(`/${SUB}/cloudServices/cs-south/resources/scheduler/jobCollections/southjc`, collectionXml('Free'));
    await api.put(`${CLASSIC}/westjc`, collectionXml());

    const one = await api.get(`/${SUB}/cloudservices/cs-south`);
    expect(one.statusCode).toBe(200);
    expect(one.body).toContain('<CloudService xmlns="http://schemas.microsoft.com/windowsazure"');
    expect(tag(one.body, 'Name')).toBe('cs-south');
    expect(one.body).toContain('<Resource><ResourceProviderNamespace>scheduler</ResourceProviderNamespace><Type>jobcollections</Type><Name>southjc</Name>');
    expect(one.body).not.toContain('westjc');
    expect(one.body).toContain('<Name>default</Name>'); // sked's own collection belongs to every cloud service

    const all = await api.get(`/${SUB}/cloudservices`);
    expect(all.statusCode).toBe(200);
    expect(all.body).toMatch(/^<\?xml[^>]*><CloudServices xmlns="http:\/\/schemas.microsoft.com\/windowsazure"/);
    expect([...all.body.matchAll(/<CloudService><Name>([^<]*)<\/Name>/g)].map((m) => m[1])).toEqual(['cs-south', 'cs-west']);

    expect((await api.del(`/${SUB}/cloudservices/cs-south`)).statusCode).toBe(200);
    expect((await api.get(`${CLASSIC}/southjc`)).statusCode).toBe(404);
    expect((await api.get(`${CLASSIC}/westjc`)).statusCode).toBe(200);
  });
});

describe('headers, routing, errors, authentication', () => {
  it('x-ms-version is required: 400 MissingOrIncorrectVersionHeader', async () => {
    for (const headers of [{ 'x-ms-version': '' }, { 'x-ms-version': 'yesterday' }]) {
      const res = await api.raw({ method: 'GET', url: `${CLASSIC}/default`, headers: { ...headers, ...AUTH } });
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/xml/);
      expect(res.body).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?><Error xmlns="http:\/\/schemas.microsoft.com\/windowsazure"/);
      expect(classicError(res).code).toBe('MissingOrIncorrectVersionHeader');
    }
  });

  it('matches jobcollections / JobCollections / jobCollections, cloudservices / cloudServices, with or without ~', async () => {
    await api.put(`${CLASSIC}/jc1`, collectionXml());
    for (const path of [
      `/${SUB}/cloudservices/cs/resources/scheduler/~/JobCollections/jc1`,
      `/${SUB}/cloudServices/cs/resources/scheduler/jobCollections/jc1`,
      `/${SUB}/CloudServices/cs/Resources/Scheduler/~/JOBCOLLECTIONS/jc1/`,
    ]) {
      const res = await api.get(path);
      expect(res.statusCode, path).toBe(200);
      expect(tag(res.body, 'Name')).toBe('jc1');
    }
  });

  it('unknown resources are 404 ResourceNotFound and unsupported verbs 400 InvalidHttpVerb, as XML', async () => {
    await api.put(`${CLASSIC}/jc1`, collectionXml());
    const nothing = await api.get(`/${SUB}/cloudservices/cs/resources/other/~/jobcollections/jc1`);
    expect(nothing.statusCode).toBe(404);
    expect(classicError(nothing).code).toBe('ResourceNotFound');
    const verb = await api.post(`${CLASSIC}/jc1`, collectionXml());
    expect(verb.statusCode).toBe(400);
    expect(classicError(verb).code).toBe('InvalidHttpVerb');
  });

  it('takes Authorization: Bearer <sked API key>: none or a wrong one is 401, a viewer may read but not write (403)', async () => {
    const none = await api.raw({ method: 'GET', url: `${CLASSIC}/default`, headers: { 'x-ms-version': '2013-03-01', authorization: '' } });
    expect(none.statusCode).toBe(401);
    expect(classicError(none).code).toBe('AuthenticationFailed');
    const wrong = await api.get(`${CLASSIC}/default`, { authorization: 'Bearer sked_00000000_not-a-key' });
    expect(wrong.statusCode).toBe(401);
    expect(classicError(wrong).code).toBe('AuthenticationFailed');

    const created = await sked().app.inject({ method: 'POST', url: '/api/v1/keys', payload: { name: 'reader', role: 'viewer' } });
    expect(created.statusCode, created.body).toBe(201);
    const viewer = { authorization: `Bearer ${created.json().key}` };
    expect((await api.get(`${CLASSIC}/default`, viewer)).statusCode).toBe(200);
    const denied = await api.put(`${CLASSIC}/nope`, collectionXml(), viewer);
    expect(denied.statusCode).toBe(403);
    expect(classicError(denied).code).toBe('ForbiddenError');
  });
});

/** Store URLs of the PostgreSQL backend: schema, pool size, what reaches pg, what messages show. */

import { describe, expect, it } from 'vitest';
import { SkedError } from '../../../src/domain/errors.js';
import {
  DEFAULT_POOL_SIZE,
  DEFAULT_SCHEMA,
  checkSchemaName,
  parsePostgresUrl,
} from '../../../src/store/postgres/postgres-connection.js';

describe('parsePostgresUrl', () => {
  it('defaults to schema sked and a pool of 10, and passes the URL on to pg', () => {
    const config = parsePostgresUrl('postgres://sked:secret@db.example.com:6432/jobs');
    expect(config).toMatchObject({
      schema: DEFAULT_SCHEMA,
      poolSize: DEFAULT_POOL_SIZE,
      connectionString: 'postgres://sked:secret@db.example.com:6432/jobs',
      displayUrl: 'postgres://sked:***@db.example.com:6432/jobs',
      startupOptions: '-c search_path=sked -c plan_cache_mode=force_custom_plan',
    });
    expect(DEFAULT_SCHEMA).toBe('sked');
    expect(DEFAULT_POOL_SIZE).toBe(10);
  });

  it('reads schema and pool_size from the URL and keeps them from pg; options override the URL', () => {
    const url = 'postgresql://h/db?schema=tenant_a&pool_size=3&sslmode=disable&application_name=x';
    const config = parsePostgresUrl(url);
    expect(config.schema).toBe('tenant_a');
    expect(config.poolSize).toBe(3);
    expect(config.connectionString).toBe('postgresql://h/db?sslmode=disable&application_name=x');
    expect(config.startupOptions).toBe('-c search_path=tenant_a -c plan_cache_mode=force_custom_plan');
    expect(parsePostgresUrl(url, { schema: 'other', poolSize: 20 })).toMatchObject({
      schema: 'other',
      poolSize: 20,
    });
  });

  it('keeps the URL’s own startup options, and sets search_path after them', () => {
    const config = parsePostgresUrl('postgres://h/db?options=-c%20statement_timeout%3D5000');
    expect(config.startupOptions).toBe(
      '-c statement_timeout=5000 -c search_path=sked -c plan_cache_mode=force_custom_plan',
    );
    expect(config.connectionString).toBe('postgres://h/db');
  });

  it.each([
    ['postgres://h/db?schema=Upper', /schema 'Upper'/],
    ['postgres://h/db?schema=1abc', /schema '1abc'/],
    ['postgres://h/db?schema=a-b', /schema 'a-b'/],
    [`postgres://h/db?schema=${'a'.repeat(59)}`, /not a valid store schema/],
    ['postgres://h/db?pool_size=0', /pool size 0/],
    ['postgres://h/db?pool_size=two', /pool_size 'two'/],
    ['mysql://h/db', /not a postgres/],
    ['postgres://h:port/db', /not a valid postgres/],
  ])('refuses %s with VALIDATION_ERROR', (url, message) => {
    let thrown: unknown;
    try {
      parsePostgresUrl(url);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SkedError);
    expect((thrown as SkedError).code).toBe('VALIDATION_ERROR');
    expect((thrown as SkedError).message).toMatch(message);
  });

  it('never shows a password in its messages', () => {
    expect(() => parsePostgresUrl('mysql://u:hunter2@h/db')).toThrow(/u:\*\*\*@h/);
  });
});

describe('checkSchemaName', () => {
  it.each(['sked', '_x', 'sked_t_0a1b', 'a'.repeat(58)])('accepts %s', (name) => {
    expect(checkSchemaName(name)).toBe(name);
  });
});

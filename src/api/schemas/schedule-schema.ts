/** Schedules and steps. */

import { Type } from '@sinclair/typebox';
import { Dict, Duration, Instant, Tagged } from './common.js';

const Bounds = {
  startAt: Type.Optional(Instant),
  endAt: Type.Optional(Instant),
  dst: Type.Optional(Type.Union([Type.Literal('compatible'), Type.Literal('quartz')], { description: 'compatible (default): a missing wall time fires shifted forward, a repeated one once; quartz: as Quartz does' })),
};
const TimeZone = Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone, e.g. Europe/London (default UTC)' });
const TimeOfDay = Type.String({ pattern: '^\\d{2}:\\d{2}(:\\d{2})?$', description: 'HH:MM (24-hour)' });
const DaysOfWeek = Type.Array(Type.Integer({ minimum: 0, maximum: 6 }), { maxItems: 7, description: '0 = Sunday .. 6 = Saturday; empty or absent = every day' });
const WeekDay = Type.Union(['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'].map((d) => Type.Literal(d)));

export const ScheduleSchema = Tagged(
  [
    Type.Object({ type: Type.Literal('cron'), expression: Type.String({ minLength: 1, maxLength: 256 }), dialect: Type.Optional(Type.Union([Type.Literal('auto'), Type.Literal('unix'), Type.Literal('quartz')])), timeZone: Type.Optional(TimeZone), ...Bounds }, { additionalProperties: false, title: 'cron' }),
    Type.Object({ type: Type.Literal('interval'), every: Duration, repeatCount: Type.Optional(Type.Integer({ minimum: 0 })), ...Bounds }, { additionalProperties: false, title: 'interval' }),
    Type.Object({ type: Type.Literal('once'), at: Instant, ...Bounds }, { additionalProperties: false, title: 'once' }),
    Type.Object({ type: Type.Literal('daily'), daysOfWeek: Type.Optional(DaysOfWeek), times: Type.Array(TimeOfDay, { minItems: 1, maxItems: 96 }), timeZone: Type.Optional(TimeZone), ...Bounds }, { additionalProperties: false, title: 'daily' }),
    Type.Object({ type: Type.Literal('window'), daysOfWeek: Type.Optional(DaysOfWeek), every: Duration, from: TimeOfDay, to: TimeOfDay, timeZone: Type.Optional(TimeZone), ...Bounds }, { additionalProperties: false, title: 'window' }),
    Type.Object(
      {
        type: Type.Literal('recurrence'),
        frequency: Type.Union(['minute', 'hour', 'day', 'week', 'month'].map((f) => Type.Literal(f))),
        interval: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
        schedule: Type.Optional(
          Type.Object(
            {
              minutes: Type.Optional(Type.Array(Type.Integer({ minimum: 0, maximum: 59 }), { maxItems: 60 })),
              hours: Type.Optional(Type.Array(Type.Integer({ minimum: 0, maximum: 23 }), { maxItems: 24 })),
              weekDays: Type.Optional(Type.Array(WeekDay, { maxItems: 7 })),
              monthDays: Type.Optional(Type.Array(Type.Integer({ minimum: -31, maximum: 31 }), { maxItems: 62 })),
              monthlyOccurrences: Type.Optional(Type.Array(Type.Object({ day: WeekDay, occurrence: Type.Integer({ minimum: -5, maximum: 5 }) }, { additionalProperties: false }), { maxItems: 35 })),
            },
            { additionalProperties: false },
          ),
        ),
        count: Type.Optional(Type.Integer({ minimum: 1 })),
        endTime: Type.Optional(Instant),
        timeZone: Type.Optional(TimeZone),
        ...Bounds,
      },
      { additionalProperties: false, title: 'recurrence' },
    ),
    Type.Object({ type: Type.Literal('manual'), ...Bounds }, { additionalProperties: false, title: 'manual' }),
  ],
  { description: 'When a job fires' },
);

export const RetrySchema = Type.Object(
  {
    maxAttempts: Type.Integer({ minimum: 1, maximum: 100, description: 'attempts in all, the first included' }),
    backoff: Type.Union([Type.Literal('fixed'), Type.Literal('exponential')]),
    interval: Duration,
    maxInterval: Type.Optional(Duration),
    onExhausted: Type.Optional(Type.Union([Type.Literal('continue'), Type.Literal('fault')])),
  },
  { additionalProperties: false },
);

const StepBase = {
  stepIndex: Type.Integer({ minimum: 0, maximum: 10_000, description: 'groups run in ascending order; equal indexes run in parallel' }),
  name: Type.Optional(Type.String({ maxLength: 200 })),
  continueOnFailure: Type.Optional(Type.Boolean()),
  timeout: Type.Optional(Duration),
  retry: Type.Optional(RetrySchema),
};
/** A value, or `{"secret": "..."}`: encrypted at rest and shown as *** on every read. */
const MaybeSecret = Type.Union([Type.String({ maxLength: 8192 }), Type.Object({ secret: Type.String({ maxLength: 8192 }) }, { additionalProperties: false })]);
const Env = Dict('^[A-Za-z_][A-Za-z0-9_]{0,127}$', MaybeSecret, { maxProperties: 100, description: 'environment variables (names: letters, digits, _); a value {"secret": "..."} is kept encrypted' });

export const StepSchema = Tagged(
  [
    Type.Object(
      {
        type: Type.Literal('http'),
        request: Type.Object(
          {
            method: Type.Optional(Type.String({ pattern: '^[A-Za-z]{1,16}$' })),
            url: Type.String({ minLength: 1, maxLength: 2048 }),
            headers: Type.Optional(Dict("^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$", MaybeSecret, { maxProperties: 50, description: 'header names are HTTP tokens; Authorization-like values and {"secret": "..."} values are kept encrypted' })),
            body: Type.Optional(Type.String({ maxLength: 131_072 })),
            auth: Type.Optional(
              Tagged([
                Type.Object({ type: Type.Literal('basic'), username: Type.String({ maxLength: 256 }), password: Type.String({ maxLength: 1024 }) }, { additionalProperties: false }),
                Type.Object({ type: Type.Literal('bearer'), token: Type.String({ maxLength: 8192 }) }, { additionalProperties: false }),
              ]),
            ),
          },
          { additionalProperties: false },
        ),
        expectStatus: Type.Optional(Type.Array(Type.Integer({ minimum: 100, maximum: 599 }), { minItems: 1, maxItems: 50 })),
        ...StepBase,
      },
      { additionalProperties: false, title: 'http' },
    ),
    Type.Object({ type: Type.Literal('exec'), command: Type.String({ minLength: 1, maxLength: 1024 }), args: Type.Optional(Type.Array(Type.String({ maxLength: 8192 }), { maxItems: 256 })), cwd: Type.Optional(Type.String({ maxLength: 1024 })), env: Type.Optional(Env), ...StepBase }, { additionalProperties: false, title: 'exec' }),
    Type.Object({ type: Type.Literal('shell'), script: Type.String({ minLength: 1, maxLength: 131_072 }), shell: Type.Optional(Type.String({ maxLength: 1024 })), cwd: Type.Optional(Type.String({ maxLength: 1024 })), env: Type.Optional(Env), ...StepBase }, { additionalProperties: false, title: 'shell' }),
    Type.Object({ type: Type.Literal('sql'), connection: Type.String({ minLength: 1, maxLength: 2048 }), sql: Type.String({ minLength: 1, maxLength: 131_072 }), ...StepBase }, { additionalProperties: false, title: 'sql' }),
    Type.Object({ type: Type.Literal('noop'), delay: Type.Optional(Duration), ...StepBase }, { additionalProperties: false, title: 'noop' }),
    Type.Object(
      {
        type: Type.Literal('dispatch'),
        surface: Type.Union(['idm', 'azure', 'puppet', 'infinni', 'jim'].map((n) => Type.Literal(n))),
        action: Type.Object({}, { additionalProperties: true, maxProperties: 64, description: "the surface's own action fields, POSTed to SKED_DISPATCH_<SURFACE>_URL" }),
        ...StepBase,
      },
      { additionalProperties: false, title: 'dispatch' },
    ),
  ],
  { description: 'One unit of work' },
);

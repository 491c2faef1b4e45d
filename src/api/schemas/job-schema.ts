/** Jobs, runs, and the bodies of the job actions. */

import { Type } from '@sinclair/typebox';
import { Dict, Duration, Id, Instant, Loose, Nullable, PageOf } from './common.js';
import { RetrySchema, ScheduleSchema, StepSchema } from './schedule-schema.js';

export const JobInputSchema = Type.Object(
  {
    id: Type.Optional(Id),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.Optional(Type.String({ maxLength: 1000 })),
    collection: Type.Optional(Id),
    labels: Type.Optional(Dict('^[A-Za-z0-9._/-]{1,63}$', Type.String({ maxLength: 256 }), { maxProperties: 64, description: 'keys: letters, digits, . _ / -, up to 63 characters' })),
    schedule: ScheduleSchema,
    steps: Type.Optional(Type.Array(StepSchema, { maxItems: 100 })),
    onFailure: Type.Optional(Type.Array(StepSchema, { maxItems: 20, description: 'steps run when a run fails (Azure error action)' })),
    retry: Type.Optional(Nullable(RetrySchema)),
    overlap: Type.Optional(Type.Union(['allow', 'skip', 'bufferOne', 'cancelOther'].map((o) => Type.Literal(o)), { description: 'a fire while the previous run is still going (default skip)' })),
    catchUp: Type.Optional(
      Type.Object(
        { policy: Type.Optional(Type.Union(['none', 'latest', 'all'].map((o) => Type.Literal(o)))), window: Type.Optional(Duration) },
        { additionalProperties: false, description: 'fires missed while no node ran (default latest within PT1H)' },
      ),
    ),
    timeout: Type.Optional(Nullable(Duration)),
    enabled: Type.Optional(Type.Boolean({ description: 'false creates the job paused' })),
    extensions: Type.Optional(Type.Object({}, { additionalProperties: true, maxProperties: 16, description: 'fields kept for the compatibility surfaces' })),
  },
  { additionalProperties: false },
);

export const JobView = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    state: Type.Union(['enabled', 'paused', 'completed', 'faulted'].map((s) => Type.Literal(s))),
    version: Type.Integer(),
    status: Loose,
  },
  { additionalProperties: true },
);

export const RunView = Type.Object(
  {
    id: Type.String(),
    jobId: Type.String(),
    trigger: Type.String(),
    status: Type.String(),
    steps: Type.Array(Loose),
  },
  { additionalProperties: true },
);

export const JobPage = PageOf(JobView);
export const RunPage = PageOf(RunView);

export const TriggerBody = Type.Object({ payload: Type.Optional(Type.Unknown()) }, { additionalProperties: false });
export const PauseBody = Type.Object(
  { reason: Type.Optional(Nullable(Type.String({ maxLength: 1000 }))), until: Type.Optional(Nullable(Instant)) },
  { additionalProperties: false },
);
export const BulkBody = Type.Object(
  {
    ids: Type.Optional(Type.Array(Id, { maxItems: 10_000 })),
    filter: Type.Optional(Type.String({ maxLength: 4096, description: 'CREST filter, e.g. labels/team eq "billing"' })),
    reason: Type.Optional(Nullable(Type.String({ maxLength: 1000 }))),
    until: Type.Optional(Nullable(Instant)),
  },
  { additionalProperties: false },
);
export const PreviewBody = Type.Object(
  {
    schedule: Type.Unknown({ description: 'a schedule object (validated by the preview itself, errors are reported in the answer)' }),
    count: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    from: Type.Optional(Instant),
  },
  { additionalProperties: false },
);

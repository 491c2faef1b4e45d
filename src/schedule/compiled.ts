/** What a compiled schedule offers (compile.ts builds them; describe, to-cron and lint read them). */

import type { DstPolicy, ScheduleSpec, ScheduleType } from '../domain/types.js';
import type { WallMatcher } from './wall-matcher.js';
import type { TimeZone } from './zone.js';

export interface CompiledSchedule {
  readonly spec: ScheduleSpec;
  readonly type: ScheduleType;
  /** The cron dialect used (after `auto` detection), null for other kinds. */
  readonly dialect: 'unix' | 'quartz' | null;
  readonly timeZone: string;
  readonly dst: DstPolicy;
  /** The next fire instant strictly after `after`, or null when the schedule fires no more. */
  next(after: Date): Date | null;
  /** `next` on epoch milliseconds. */
  nextAfter(after: number): number | null;
  /** An English description. */
  describe(): string;
  /** An equivalent Quartz cron expression, when one exists. */
  toCron(): string | null;
  /** For wall-clock kinds: the matcher and zone (used by previews to flag DST-affected fires). */
  readonly wall: { matcher: WallMatcher; zone: TimeZone } | null;
}

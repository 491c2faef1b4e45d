/**
 * Previews: is a schedule valid, which dialect was chosen, what it means in words, its next fire times
 * with local wall time and UTC offset (DST-affected ones flagged), and warnings for the classic traps.
 */

import type { ScheduleSpec } from '../domain/types.js';
import { formatOffset, formatWall } from './civil.js';
import { compileSchedule, cronErrorMessage, type CompiledSchedule } from './compile.js';
import { CronSyntaxError, type CronFields } from './cron-fields.js';
import { parseCron } from './cron-parse.js';
import { lintSchedule, type Warning } from './lint.js';
import { ScheduleError } from './schedule-error.js';

export interface PreviewFire {
  /** RFC 3339 UTC. */
  at: string;
  /** Wall time with its offset in the schedule's zone, e.g. `2026-03-08T03:30:00-04:00`. */
  local: string;
  offset: string;
  /** `shifted`: the wall time did not exist (DST gap) and fires shifted forward; `repeated`: it exists twice. */
  dst: 'shifted' | 'repeated' | null;
  note?: string;
}

export interface PreviewError {
  pointer: string;
  message: string;
  field?: string | undefined;
  position?: number | undefined;
}

export interface Preview {
  valid: boolean;
  type: string | null;
  dialect: 'unix' | 'quartz' | null;
  timeZone: string | null;
  description: string | null;
  cron: string | null;
  nextFireTimes: PreviewFire[];
  warnings: Warning[];
  errors: PreviewError[];
}

export function previewSchedule(spec: ScheduleSpec, options: { from: number; count: number }): Preview {
  let compiled: CompiledSchedule;
  try {
    compiled = compileSchedule(spec);
  } catch (err) {
    if (!(err instanceof ScheduleError)) throw err;
    let field: string | undefined;
    let position: number | undefined;
    if (spec?.type === 'cron' && typeof spec.expression === 'string') {
      try {
        parseCron(spec.expression, spec.dialect ?? 'auto');
      } catch (e) {
        if (e instanceof CronSyntaxError) {
          field = e.field ?? undefined;
          position = e.position;
        }
      }
    }
    return {
      valid: false,
      type: typeof spec?.type === 'string' ? spec.type : null,
      dialect: null,
      timeZone: null,
      description: null,
      cron: null,
      nextFireTimes: [],
      warnings: [],
      errors: [{ pointer: err.pointer, message: err.message, field, position }],
    };
  }
  let fields: CronFields | null = null;
  if (spec.type === 'cron') fields = parseCron(spec.expression, spec.dialect ?? 'auto').fields;
  const fires: PreviewFire[] = [];
  let t: number | null = options.from;
  while (fires.length < options.count && (t = compiled.nextAfter(t)) !== null) fires.push(describeFire(compiled, t));
  const warnings = lintSchedule(compiled, fields, options.from);
  if (fires.some((f) => f.dst)) {
    warnings.push({ code: 'DST_AFFECTED', message: `some fires fall on a daylight-saving change in ${compiled.timeZone}; see the flagged fire times` });
  }
  return {
    valid: true,
    type: compiled.type,
    dialect: compiled.dialect,
    timeZone: compiled.timeZone,
    description: compiled.describe(),
    cron: compiled.toCron(),
    nextFireTimes: fires,
    warnings,
    errors: [],
  };
}

function describeFire(compiled: CompiledSchedule, ms: number): PreviewFire {
  const at = new Date(ms).toISOString();
  const wall = compiled.wall;
  if (!wall) return { at, local: at, offset: '+00:00', dst: null };
  const sec = Math.floor(ms / 1000);
  const offset = wall.zone.offsetAt(sec);
  const local = sec + offset;
  const text = `${formatWall(local)}${formatOffset(offset)}`;
  if (wall.matcher.nextWall(local) !== local) {
    return { at, local: text, offset: formatOffset(offset), dst: 'shifted', note: 'the wall time does not exist on this day (DST gap): fired shifted forward by the gap' };
  }
  const r = wall.zone.resolveWall(local);
  if (r.kind === 'overlap') {
    const which = sec === r.earlier ? 'first' : 'second';
    return { at, local: text, offset: formatOffset(offset), dst: 'repeated', note: `the wall time occurs twice on this day (DST change): this is its ${which} occurrence` };
  }
  return { at, local: text, offset: formatOffset(offset), dst: null };
}

export { cronErrorMessage };

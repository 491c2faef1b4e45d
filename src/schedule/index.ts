/**
 * sked's schedule module: pure (no I/O) parsing, validation, next-fire computation, description and
 * preview for every schedule kind. Published as `sked/schedule`.
 */
export { compileSchedule, nextFireTimes, SCHEDULE_TYPES, type CompiledSchedule } from './compile.js';
export { ScheduleError } from './schedule-error.js';
export { parseCron, detectDialect, type ParsedCron } from './cron-parse.js';
export { CronSyntaxError } from './cron-fields.js';
export { getZone, isValidTimeZone, TimeZone } from './zone.js';
export { parseDuration, formatDuration, parseInstant, formatInstant } from './instant.js';
export { previewSchedule, type Preview, type PreviewFire } from './preview.js';
export { lintSchedule, type Warning } from './lint.js';

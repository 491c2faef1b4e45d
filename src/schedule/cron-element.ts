/**
 * Parsing of one plain list element (`*`, `*\/n`, `v`, `v-w`, `v/n`, `v-w/n`, with names) into a value
 * set. Both dialects use it; their differences are the options.
 */

import { CronSyntaxError, markRange, type FieldToken } from './cron-fields.js';

export interface FieldSpec {
  /** Field name used in messages: `seconds`, `minutes`, `hours`, `day-of-month`, `month`, `day-of-week`, `year`. */
  name: string;
  min: number;
  max: number;
  /** Largest step accepted after `/`. */
  maxStep: number;
  /** Three-letter names, value = index + nameBase. */
  names?: readonly string[] | undefined;
  nameBase?: number | undefined;
  /** Ranges whose end is below their start wrap around (Quartz); otherwise they are an error. */
  wrap: boolean;
  /** Quartz ignores a step after a named range; sked refuses it rather than silently dropping it. */
  namedStep: boolean;
}

const ELEMENT = /^(\d+|[A-Z]+)(?:-(\d+|[A-Z]+))?(?:\/(\d*))?$/;
const STAR = /^\*(?:\/(\d*))?$/;

/** Parses one element into `set` (indexed by value). Returns true when the element was a bare `*`. */
export function parseElement(el: FieldToken, spec: FieldSpec, set: Uint8Array): boolean {
  const text = el.text;
  const star = STAR.exec(text);
  if (star) {
    const step = star[1] === undefined ? 1 : parseStep(star[1], spec, el.position + 2);
    markRange(set, spec.min, spec.max, step, spec.min, spec.max);
    return star[1] === undefined;
  }
  const m = ELEMENT.exec(text);
  if (!m) throw unexpected(text, spec, el.position);
  const startText = m[1] as string;
  const endText = m[2];
  const stepText = m[3];
  const start = parseValue(startText, spec, el.position);
  if (endText !== undefined && isName(startText) !== isName(endText)) {
    throw new CronSyntaxError(`${spec.name}: a range cannot mix a name and a number ('${text}')`, spec.name, el.position);
  }
  // `v/n` runs from v to the field's maximum.
  const end =
    endText === undefined
      ? stepText === undefined
        ? start
        : spec.max
      : parseValue(endText, spec, el.position + startText.length + 1);
  let step = 1;
  if (stepText !== undefined) {
    const stepPos = el.position + text.indexOf('/') + 1;
    if (isName(startText) && !spec.namedStep) {
      throw new CronSyntaxError(
        `${spec.name}: Quartz ignores a step after a name ('${text}'); write the range with numbers`,
        spec.name,
        stepPos,
      );
    }
    step = parseStep(stepText, spec, stepPos);
  }
  if (end < start && !spec.wrap) {
    throw new CronSyntaxError(
      `${spec.name}: range ${startText}-${endText ?? ''} runs backwards (start must not exceed end)`,
      spec.name,
      el.position,
    );
  }
  markRange(set, start, end, step, spec.min, spec.max);
  return false;
}

function isName(text: string): boolean {
  return text.charCodeAt(0) > 57;
}

/** A number or a name within the field's range. */
export function parseValue(text: string, spec: FieldSpec, position: number): number {
  let value: number;
  if (isName(text)) {
    const idx = spec.names ? spec.names.indexOf(text) : -1;
    if (idx < 0) {
      const allowed = spec.names ? ` (use ${spec.names[0]}-${spec.names[spec.names.length - 1]})` : '';
      throw new CronSyntaxError(`${spec.name}: unknown name '${text}'${allowed}`, spec.name, position);
    }
    value = idx + (spec.nameBase ?? 0);
  } else {
    value = Number(text);
  }
  if (!Number.isInteger(value) || value < spec.min || value > spec.max) {
    throw new CronSyntaxError(
      `${spec.name}: value ${text} is out of range ${spec.min}-${spec.max}`,
      spec.name,
      position,
    );
  }
  return value;
}

function parseStep(text: string, spec: FieldSpec, position: number): number {
  if (text === '') throw new CronSyntaxError(`${spec.name}: '/' must be followed by a step`, spec.name, position);
  const step = Number(text);
  if (!Number.isInteger(step) || step < 1 || step > spec.maxStep) {
    throw new CronSyntaxError(`${spec.name}: step ${text} is out of range 1-${spec.maxStep}`, spec.name, position);
  }
  return step;
}

export function unexpected(text: string, spec: FieldSpec, position: number): CronSyntaxError {
  const bad = firstBadChar(text);
  return new CronSyntaxError(
    `${spec.name}: unexpected '${text[bad] ?? text}' in '${text}'`,
    spec.name,
    position + bad,
  );
}

// What a plain element may look like, read as a prefix: the first character that cannot extend a valid
// beginning is the one to point at.
const ELEMENT_PREFIX = /^(?:\*|\d+|[A-Z]{1,3})?(?:-(?:\d*|[A-Z]{0,3}))?(?:\/\d*)?$/;

/** Index of the first character that cannot continue a plain element. */
function firstBadChar(text: string): number {
  for (let i = 1; i <= text.length; i++) if (!ELEMENT_PREFIX.test(text.slice(0, i))) return i - 1;
  return 0;
}

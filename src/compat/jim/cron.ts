/**
 * JIM's cron expressions are 5 fields (NCrontab): `min hour dom month dow`, 0 = Sunday. sked's schedule
 * module gives equivalent expressions in Quartz syntax (`sec min hour dom month dow`, `?`, 1 = Sunday,
 * `a/n` steps); this converts one to JIM's form when it can be written there, else null.
 */

const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** `a/n` → `*∕n` (a = the field's first value) or `a-max/n`; `a-b/1` → `a-b`; `a-a` → `a`. */
function stepPart(part: string, min: number, max: number): string {
  let m = /^(\d+)\/(\d+)$/.exec(part);
  if (m) return Number(m[1]) === min ? `*/${m[2]}` : `${m[1]}-${max}/${m[2]}`;
  m = /^(\d+)-(\d+)\/1$/.exec(part);
  if (m) return m[1] === m[2] ? (m[1] as string) : `${m[1]}-${m[2]}`;
  m = /^(\d+)-(\d+)$/.exec(part);
  if (m && m[1] === m[2]) return m[1] as string;
  return part;
}

function field(text: string, min: number, max: number): string | null {
  if (!/^[\d*,/-]+$/.test(text)) return null;
  return text.split(',').map((p) => stepPart(p, min, max)).join(',');
}

/** Quartz day of week (1..7 or SUN..SAT) → Unix (0..6). */
function quartzDay(token: string): string | null {
  const named = DAY_NAMES.indexOf(token.toUpperCase());
  if (named >= 0) return String(named);
  if (!/^\d$/.test(token) || Number(token) < 1 || Number(token) > 7) return null;
  return String(Number(token) - 1);
}

function dayOfWeek(text: string): string | null {
  if (text === '?' || text === '*') return '*';
  const parts: string[] = [];
  for (const part of text.split(',')) {
    const range = /^([A-Za-z]+|\d)(?:-([A-Za-z]+|\d))?$/.exec(part);
    if (!range) return null;
    const a = quartzDay(range[1] as string);
    const b = range[2] === undefined ? a : quartzDay(range[2]);
    if (a === null || b === null || Number(b) < Number(a)) return null;
    parts.push(a === b ? a : `${a}-${b}`);
  }
  return parts.join(',');
}

/**
 * The 5-field form of a cron expression. `dialect` is the one the expression was parsed with: a Unix
 * expression keeps its fields (6 fields: seconds dropped when 0); a Quartz one is rewritten.
 */
export function toJimCron(expression: string, dialect: 'unix' | 'quartz' | null): string | null {
  const f = expression.trim().split(/\s+/);
  if (dialect === 'unix') {
    if (f.length === 5 || f[0]?.startsWith('@')) return expression.trim();
    return f.length === 6 && f[0] === '0' ? f.slice(1).join(' ') : null;
  }
  if ((f.length !== 6 && f.length !== 7) || f[0] !== '0' || (f.length === 7 && f[6] !== '*')) return null;
  const [, min, hour, dom, month, dow] = f as [string, string, string, string, string, string];
  const out = [field(min, 0, 59), field(hour, 0, 23), dom === '?' ? '*' : field(dom, 1, 31), field(month, 1, 12), dayOfWeek(dow)];
  return out.every((x) => x !== null) ? out.join(' ') : null;
}

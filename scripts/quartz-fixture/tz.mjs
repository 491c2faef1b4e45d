// Time-zone helpers on Node's Intl (ICU tzdata): wall-clock fields, UTC offsets, DST transitions.

const formatters = new Map();
const WEEKDAYS = { Sun: 1, Mon: 2, Tue: 3, Wed: 4, Thu: 5, Fri: 6, Sat: 7 }; // Quartz numbering

function formatter(zone) {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** Wall-clock fields of instant `ms` in `zone`; dow is Quartz's 1=SUN..7=SAT. */
export function localFields(zone, ms) {
  const o = {};
  for (const p of formatter(zone).formatToParts(new Date(ms))) o[p.type] = p.value;
  return {
    year: +o.year,
    month: +o.month,
    day: +o.day,
    hour: +o.hour,
    minute: +o.minute,
    second: +o.second,
    dow: WEEKDAYS[o.weekday],
  };
}

/** UTC offset (ms) of `zone` at instant `ms`. */
export function offsetMs(zone, ms) {
  const f = localFields(zone, ms);
  const wall = Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second);
  return wall - Math.floor(ms / 1000) * 1000;
}

/** True if Intl knows the zone id. */
export function zoneExists(zone) {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Offset changes of `zone` in [fromMs, toMs): [{at, before, after}] where `at` is the first second with
 * the new offset. Samples daily and bisects to the second (zones here change at most once a day).
 */
export function transitions(zone, fromMs, toMs) {
  const DAY = 86400000;
  const out = [];
  let prevT = fromMs;
  let prevO = offsetMs(zone, fromMs);
  for (let t = fromMs + DAY; t < toMs + DAY; t += DAY) {
    const o = offsetMs(zone, t);
    if (o !== prevO) {
      let lo = prevT;
      let hi = t;
      while (hi - lo > 1000) {
        const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
        if (offsetMs(zone, mid) === prevO) lo = mid;
        else hi = mid;
      }
      if (hi >= fromMs && hi < toMs) out.push({ at: hi, before: prevO, after: offsetMs(zone, hi) });
      prevO = o;
    }
    prevT = t;
  }
  return out;
}

/** ISO instant, with milliseconds only when non-zero (the oracle prints whole seconds as ...:SSZ). */
export function iso(ms) {
  const s = new Date(ms).toISOString();
  return s.endsWith('.000Z') ? `${s.slice(0, -5)}Z` : s;
}

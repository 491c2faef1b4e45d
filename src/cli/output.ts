/** Output for people (aligned tables, relative times) and for scripts (--json). */

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** An aligned text table; the last column is never padded. */
export function table(headers: string[], rows: (string | number | null | undefined)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => (c === null || c === undefined ? '-' : String(c))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : (c ?? '').padEnd(widths[i] ?? 0))).join('  ')).join('\n') + '\n';
}

/** `in 5m`, `3h ago`, for an RFC 3339 instant. */
export function relative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '-';
  const diff = Date.parse(iso) - now;
  const abs = Math.abs(diff);
  const units: [number, string][] = [[86_400_000, 'd'], [3_600_000, 'h'], [60_000, 'm'], [1000, 's']];
  let text = '0s';
  for (const [size, unit] of units) {
    if (abs >= size) {
      text = `${Math.floor(abs / size)}${unit}`;
      break;
    }
  }
  return diff >= 0 ? `in ${text}` : `${text} ago`;
}

export function scheduleText(schedule: Record<string, unknown>): string {
  switch (schedule['type']) {
    case 'cron':
      return `cron ${String(schedule['expression'])}${schedule['timeZone'] ? ` ${String(schedule['timeZone'])}` : ''}`;
    case 'interval':
      return `every ${String(schedule['every'])}`;
    case 'once':
      return `once ${String(schedule['at'])}`;
    default:
      return String(schedule['type']);
  }
}

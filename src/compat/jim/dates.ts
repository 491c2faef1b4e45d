/**
 * Instants as System.Text.Json writes a UTC DateTime: `2026-11-22T06:00:00Z`, fractional seconds only when
 * there are any (`…06:00:00.12Z`). Any ISO 8601 parser reads both forms.
 */
export function dotnetDate(ms: number | null): string | null {
  if (ms === null) return null;
  const iso = new Date(ms).toISOString();
  return iso.replace(/\.(\d*?)0*Z$/, (_m, digits: string) => (digits ? `.${digits}Z` : 'Z'));
}

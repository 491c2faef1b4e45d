/**
 * Run durations and outcomes of a job as a bar chart drawn in SVG: one bar per run, oldest on the
 * left, height = duration, colour (and a pattern-free legend with counts) = status. Each bar links to
 * its run and says what it is to screen readers and in a tooltip.
 */

import type { JSX } from 'preact';
import { between, formatDuration, formatInstant } from '../format';
import { onLinkClick, paths } from '../router';
import type { Run } from '../types';

const W = 640;
const H = 160;
const PAD = { left: 56, right: 8, top: 10, bottom: 22 };

function niceMax(ms: number): number {
  if (ms <= 0) return 1000;
  const steps = [1, 2, 5];
  let unit = 1;
  while (unit * 10 < ms) unit *= 10;
  for (const s of steps) if (s * unit >= ms) return s * unit;
  return 10 * unit;
}

export function RunChart({ runs }: { runs: Run[] }): JSX.Element {
  const shown = [...runs].reverse(); // oldest first
  if (shown.length === 0) return <p class="muted">No runs yet.</p>;
  const durations = shown.map((r) => between(r.startedAt, r.finishedAt, r.status === 'running') ?? 0);
  const max = niceMax(Math.max(...durations));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(shown.length, 10);
  const barW = Math.max(2, Math.min(24, slot * 0.7));
  const counts = new Map<string, number>();
  for (const r of shown) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  const summary = `Last ${shown.length} runs: ${[...counts].map(([s, n]) => `${n} ${s}`).join(', ')}; longest ${formatDuration(Math.max(...durations))}.`;
  return (
    <figure class="run-chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary} preserveAspectRatio="xMinYMin meet">
        {[0, 0.5, 1].map((f) => {
          const y = PAD.top + plotH * (1 - f);
          return (
            <g key={f} class="grid">
              <line x1={PAD.left} x2={W - PAD.right} y1={y} y2={y} />
              <text x={PAD.left - 6} y={y + 4} text-anchor="end">
                {formatDuration(max * f)}
              </text>
            </g>
          );
        })}
        {shown.map((r, i) => {
          const d = durations[i] ?? 0;
          const h = Math.max(2, (d / max) * plotH);
          const x = PAD.left + i * slot + (slot - barW) / 2;
          const label = `${r.status}, ${formatDuration(d)}, ${r.trigger}, ${formatInstant(r.startedAt ?? r.queuedAt)}`;
          const href = paths.run(r.id);
          return (
            <a
              key={r.id}
              href={href}
              onClick={(e) => onLinkClick(e as unknown as MouseEvent, href)}
              aria-label={`Run ${label}`}
            >
              <rect
                class={`bar bar-${r.status}`}
                x={x}
                y={PAD.top + plotH - h}
                width={barW}
                height={h}
                rx={2}
              >
                <title>{label}</title>
              </rect>
            </a>
          );
        })}
        <text class="axis-label" x={PAD.left} y={H - 6}>
          oldest
        </text>
        <text class="axis-label" x={W - PAD.right} y={H - 6} text-anchor="end">
          newest
        </text>
      </svg>
      <figcaption class="legend">
        {[...counts].map(([s, n]) => (
          <span key={s} class="legend-item">
            <span class={`swatch bar-${s}`} aria-hidden="true" /> {s} ({n})
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

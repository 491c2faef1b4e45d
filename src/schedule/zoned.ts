/**
 * From wall-clock matches to instants, in a time zone, under a DST policy. The only place that decides
 * what a wall-clock time means on a daylight-saving change.
 *
 * `compatible` (default): a wall time that does not exist fires shifted forward by the gap (RFC 5545,
 * java.time, Temporal "compatible"); a wall time that exists twice fires at its first occurrence only,
 * unless the schedule means every real hour, in which case both occurrences fire.
 *
 * `quartz`: what Quartz's CronExpression does: wall times are searched forward from the wall time of
 * the instant; a wall time inside a gap does not fire and the search goes on from its shifted position;
 * a wall time that exists twice resolves to its second (standard-time) occurrence.
 */

import type { DstPolicy } from '../domain/types.js';
import type { WallMatcher } from './wall-matcher.js';
import type { TimeZone } from './zone.js';

/** Smallest fire instant (seconds) >= t, or -1. */
export function nextInstant(matcher: WallMatcher, zone: TimeZone, policy: DstPolicy, t: number): number {
  if (zone.fixedOffset !== null) {
    const w = matcher.nextWall(t + zone.fixedOffset);
    return w < 0 ? -1 : w - zone.fixedOffset;
  }
  return policy === 'quartz' ? nextQuartz(matcher, zone, t) : nextCompatible(matcher, zone, t);
}

function nextCompatible(matcher: WallMatcher, zone: TimeZone, t: number): number {
  // Each pass looks inside one offset segment; a yearly schedule crosses a few of them at most.
  for (let pass = 0; pass < 4096; pass++) {
    const seg = zone.segmentAt(t);
    const off = seg.offset;
    const prev = seg.prevOffset;
    let best = Infinity;
    if (prev < off) {
      // The segment opens with a gap: wall times [start+prev, start+off) do not exist and fire at
      // wall - prev, i.e. shifted forward by the gap.
      const gapEnd = seg.start + off;
      const from = Math.max(seg.start + prev, t + prev);
      if (from < gapEnd) {
        const w = matcher.nextWall(from);
        if (w >= 0 && w < gapEnd) best = w - prev;
      }
    }
    let from = t + off;
    if (prev > off && !matcher.realHours) {
      // The segment opens with a repeated hour: its wall times already fired at their first occurrence.
      const repeatEnd = seg.start + prev;
      if (from < repeatEnd) from = repeatEnd;
    }
    const w = matcher.nextWall(from);
    if (w >= 0) {
      const instant = w - off;
      if (instant < seg.end && instant < best) best = instant;
    }
    if (best !== Infinity) return best;
    if (w < 0) return -1;
    t = seg.end;
  }
  return -1;
}

function nextQuartz(matcher: WallMatcher, zone: TimeZone, t: number): number {
  let wall = t + zone.offsetAt(t);
  for (let pass = 0; pass < 4096; pass++) {
    const w = matcher.nextWall(wall);
    if (w < 0) return -1;
    const r = zone.resolveWall(w);
    if (r.kind === 'gap') {
      wall = w + r.gap;
      continue;
    }
    return r.later;
  }
  return -1;
}

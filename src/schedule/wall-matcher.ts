/**
 * A schedule that is a set of wall-clock times (cron, daily, window, recurrence): the zone layer
 * (zoned.ts) turns it into instants, applying the DST policy.
 */
export interface WallMatcher {
  /** Smallest matching wall time (wall seconds) at or after `wall`, or -1 when there is none. */
  nextWall(wall: number): number;
  /**
   * The schedule means "every (n-th) real hour" (cron hour field `*` or a step): under the compatible
   * policy both occurrences of a repeated wall-clock hour fire. Otherwise a repeated time fires once.
   */
  readonly realHours: boolean;
}

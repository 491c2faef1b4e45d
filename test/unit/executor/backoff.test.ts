import { describe, expect, it } from 'vitest';
import { planRetry, retryDelayMs, type RetryPlan } from '../../../src/executor/backoff.js';
import { groupSteps } from '../../../src/executor/step-groups.js';

function plan(policy: Parameters<typeof planRetry>[0]): RetryPlan {
  const result = planRetry(policy);
  if (typeof result === 'string') throw new Error(result);
  return result;
}

describe('retry backoff', () => {
  it('fixed waits the interval every time', () => {
    const p = plan({ maxAttempts: 5, backoff: 'fixed', interval: 'PT2S' });
    expect([1, 2, 3, 4].map((n) => retryDelayMs(p, n))).toEqual([2000, 2000, 2000, 2000]);
  });

  it('exponential doubles from the interval up to maxInterval', () => {
    const p = plan({ maxAttempts: 9, backoff: 'exponential', interval: 'PT1S', maxInterval: 'PT5S' });
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(p, n))).toEqual([1000, 2000, 4000, 5000, 5000]);
    const uncapped = plan({ maxAttempts: 2000, backoff: 'exponential', interval: 'PT1S' });
    expect(Number.isFinite(retryDelayMs(uncapped, 1500))).toBe(true);
  });

  it('names the invalid field', () => {
    expect(planRetry({ maxAttempts: 0, backoff: 'fixed', interval: 'PT1S' })).toMatch(/retry.maxAttempts/);
    expect(planRetry({ maxAttempts: 2, backoff: 'fixed', interval: 'soon' })).toMatch(
      /retry.interval 'soon'/,
    );
    expect(planRetry({ maxAttempts: 2, backoff: 'fixed', interval: 'PT1S', maxInterval: 'P1M' })).toMatch(
      /retry.maxInterval/,
    );
  });
});

describe('groupSteps', () => {
  it('groups by stepIndex, ascending, positions in list order', () => {
    const groups = groupSteps([
      { stepIndex: 2 },
      { stepIndex: 0 },
      { stepIndex: 2 },
      { stepIndex: -1 },
      { stepIndex: 0 },
    ]);
    expect(groups).toEqual([
      { stepIndex: -1, positions: [3] },
      { stepIndex: 0, positions: [1, 4] },
      { stepIndex: 2, positions: [0, 2] },
    ]);
    expect(groupSteps([])).toEqual([]);
  });
});

/** A test sked serving the compatibility surfaces (all of them unless `compat` says otherwise). */

import { testSked, type TestSked } from '../../support/app-harness.js';

export function skedWithSurfaces(flags: Record<string, unknown> = {}): Promise<TestSked> {
  return testSked(flags);
}

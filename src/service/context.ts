/** What every service works with. */

import type { Logger } from '../domain/logger.js';
import type { Clock } from '../engine/clock.js';
import type { Engine } from '../engine/engine.js';
import type { Store } from '../store/store.js';
import type { SecretBox } from '../domain/secrets.js';
import type { AuditLog } from './audit-log.js';

export interface ServiceContext {
  store: Store;
  engine: Engine;
  clock: Clock;
  logger: Logger;
  /** Generates ids for jobs created without one. */
  newJobId: () => string;
  /** Publishes a change (live events; wired by the server). */
  emit?: (type: string, data: Record<string, unknown>) => void;
  /** Finished runs kept per job. */
  runRetention: number;
  /** Where changes and operator actions are recorded (absent in some unit tests). */
  audit?: AuditLog | undefined;
  /** Seals, reveals and redacts secrets in definitions (absent: definitions are stored as sent). */
  secrets?: SecretBox | undefined;
  /** The http host policy's URL check (SKED_HTTP_ALLOW / SKED_HTTP_DENY), applied when jobs are defined. */
  checkUrl?: ((url: URL) => void) | undefined;
  /** Step types this server defines and runs (SKED_ALLOW_STEPS); undefined = all. */
  allowedStepTypes?: ReadonlySet<string> | undefined;
}

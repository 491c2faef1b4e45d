/** The audit log: every change and operator action, who did it and when, with before and after. */

import { messageOf } from '../domain/errors.js';
import { uuidv7 } from '../domain/ids.js';
import type { Logger } from '../domain/logger.js';
import type { AuditEntry } from '../domain/types.js';
import { Batcher } from '../engine/batcher.js';
import type { Clock } from '../engine/clock.js';
import type { AuditQuery, Page, Store } from '../store/store.js';
import { authorize, type Actor } from './actor.js';

export class AuditLog {
  private readonly batch: Batcher<AuditEntry>;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    log: Logger,
  ) {
    this.batch = new Batcher<AuditEntry>(
      (entries) => store.appendAudit(entries),
      (err, entries) => log.error({ err: messageOf(err), entries: entries.length }, 'writing the audit log failed; retrying'),
    );
  }

  /** Appends an entry (written within a moment, in a batch). `before`/`after` must already be redacted. */
  record(actor: Actor, action: string, target: { type: string; id: string | null }, before: unknown = null, after: unknown = null): void {
    this.batch.add({
      id: uuidv7(this.clock.now()),
      at: this.clock.now(),
      actor: { kind: actor.kind, id: actor.id, name: actor.name },
      action,
      target,
      before: before ?? null,
      after: after ?? null,
    });
  }

  /** Waits until everything recorded is written. */
  flush(): Promise<void> {
    return this.batch.flush();
  }

  async list(actor: Actor, query: AuditQuery): Promise<Page<AuditEntry>> {
    authorize(actor, 'admin', 'read the audit log');
    await this.flush();
    return this.store.listAudit(query);
  }
}

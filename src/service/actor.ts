/**
 * Who is asking, and what they may do. Every service method takes an Actor and checks it here, so the
 * native API, every compat surface, the CLI and the dashboard get the same decisions.
 */

import { SkedError } from '../domain/errors.js';
import type { Role } from '../domain/types.js';

export type { Role };

export interface Actor {
  /** `key`: an API key; `system`: sked itself (maintenance, recovery); `local`: a trusted local caller. */
  kind: 'key' | 'system' | 'local';
  /** Key prefix (never the secret) or a system name, for the audit log. */
  id: string | null;
  name: string;
  role: Role;
}

export const SYSTEM_ACTOR: Actor = { kind: 'system', id: null, name: 'sked', role: 'admin' };

/**
 * read: see jobs, runs and the scheduler; operate: trigger, pause, resume, cancel; write: create, change,
 * delete; admin: keys and the audit log (reading them too).
 */
export type Permission = 'read' | 'operate' | 'write' | 'admin';

const ALLOWED: Record<Role, ReadonlySet<Permission>> = {
  admin: new Set(['read', 'operate', 'write', 'admin']),
  operator: new Set(['read', 'operate']),
  viewer: new Set(['read']),
};

export function authorize(actor: Actor, permission: Permission, what: string): void {
  if (!ALLOWED[actor.role].has(permission)) {
    throw new SkedError('FORBIDDEN', `role '${actor.role}' may not ${what} (needs ${permission === 'operate' ? 'operator' : 'admin'})`);
  }
}

/** Cluster membership: one row per node, refreshed by its heartbeat. */

import type { NodeInfo } from '../../domain/types.js';
import { rowToNode, type NodeRow } from './sqlite-rows.js';
import type { SqliteSession } from './sqlite-session.js';
import * as sql from './sqlite-sql.js';

export class SqliteNodes {
  constructor(private readonly session: SqliteSession) {}

  /** Upserts the node's row; true when the row was already there. */
  heartbeat(node: NodeInfo): boolean {
    const s = this.session;
    return s.write(() => {
      const existed = s.statement(sql.NODE_EXISTS).get(node.id) !== undefined;
      s
        .statement(sql.UPSERT_NODE)
        .run(
          node.id,
          node.host,
          node.pid,
          node.startedAt,
          node.heartbeatAt,
          node.clockSkewMs,
          node.state,
          node.version,
        );
      return existed;
    });
  }

  list(): NodeInfo[] {
    return (this.session.statement(sql.LIST_NODES).all() as NodeRow[]).map(rowToNode);
  }

  remove(id: string): void {
    const s = this.session;
    s.write(() => s.statement(sql.DELETE_NODE).run(id));
  }
}

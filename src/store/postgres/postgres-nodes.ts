/** Cluster membership: one row per node, refreshed by its heartbeat. */

import type { NodeInfo } from '../../domain/types.js';
import { rowToNode, type NodeRow } from './postgres-rows.js';
import type { PostgresSession } from './postgres-session.js';
import * as sql from './postgres-sql.js';

export class PostgresNodes {
  constructor(private readonly session: PostgresSession) {}

  /** Upserts the node's row; true when the row was already there. */
  async heartbeat(node: NodeInfo): Promise<boolean> {
    const rows = await this.session.rows<{ inserted: boolean }>(sql.UPSERT_NODE, [
      node.id,
      node.host,
      node.pid,
      node.startedAt,
      node.heartbeatAt,
      node.clockSkewMs,
      node.state,
      node.version,
    ]);
    return rows[0]?.inserted === false;
  }

  async list(): Promise<NodeInfo[]> {
    return (await this.session.rows<NodeRow>(sql.LIST_NODES)).map(rowToNode);
  }

  async remove(id: string): Promise<void> {
    await this.session.changes(sql.DELETE_NODE, [id]);
  }
}

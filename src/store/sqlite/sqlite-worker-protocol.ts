/** The messages between a SqliteWorkerStore and its worker thread. */

import type { ErrorCode, FieldError } from '../../domain/errors.js';

export interface WorkerSetup {
  path: string;
}

export interface WorkerRequest {
  id: number;
  method: string;
  args: unknown[];
}

/** What a call threw: a SkedError keeps its code and field errors across the thread boundary. */
export interface WorkerError {
  code: ErrorCode | null;
  message: string;
  errors?: FieldError[] | undefined;
}

/** The answer to request `id` (id 0: the database is open, or why it could not be). */
export type WorkerReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: WorkerError };

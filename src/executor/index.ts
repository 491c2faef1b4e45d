/** The executor: runs one run's steps (http, exec, shell, sql, noop). See executor.ts. */
export { Executor } from './executor.js';
export type { ExecuteRequest, ExecuteResult, ExecutorOptions, StepPhase } from './types.js';

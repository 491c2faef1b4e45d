/**
 * Migration 0003: two partial indexes fewer on runs. `runs_running_job` and `runs_running_node` held
 * subsets of `runs_active` (the queued and running runs: a few hundred at most, whatever the history),
 * and every run entered and left both: the active index answers the same questions (a job's running
 * run; a node's running runs, by scanning the small active set) for two index writes less per run start
 * and two per finish.
 */
export const MIGRATION_0003_LEAN_RUNS = `
DROP INDEX IF EXISTS runs_running_job;
DROP INDEX IF EXISTS runs_running_node;
`;

/** Prometheus metrics: fires by outcome, runs by status, fire lateness, queue depth, running runs. */

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { EngineObserver } from '../engine/engine.js';
import type { Store } from '../store/store.js';

export interface Metrics {
  registry: Registry;
  observer: EngineObserver;
}

export interface EngineGauges {
  running: number;
  acquired: number;
  capacity: number;
  skewMs: number;
}

export function createMetrics(store: Store, engineStatus: () => EngineGauges): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'sked_process_' });
  const fires = new Counter({ name: 'sked_fires_total', help: 'Fires written to the ledger, by outcome', labelNames: ['outcome'], registers: [registry] });
  const started = new Counter({ name: 'sked_runs_started_total', help: 'Runs started on this node, by trigger', labelNames: ['trigger'], registers: [registry] });
  const finished = new Counter({ name: 'sked_runs_finished_total', help: 'Runs finished on this node, by status', labelNames: ['status'], registers: [registry] });
  const lateness = new Histogram({
    name: 'sked_fire_lateness_seconds',
    help: 'Start of a scheduled run minus its scheduled instant',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  new Gauge({
    name: 'sked_queue_depth',
    help: 'Runs queued in the store, waiting for a free slot on any node',
    registers: [registry],
    async collect() {
      this.set((await store.activeRuns()).filter((r) => r.status === 'queued').length);
    },
  });
  new Gauge({ name: 'sked_runs_running', help: 'Runs executing on this node', registers: [registry], collect() { this.set(engineStatus().running); } });
  new Gauge({ name: 'sked_run_slots', help: 'Runs this node may execute at once', registers: [registry], collect() { this.set(engineStatus().capacity); } });
  new Gauge({ name: 'sked_clock_skew_seconds', help: "This node's clock minus the store's clock", registers: [registry], collect() { this.set(engineStatus().skewMs / 1000); } });
  new Gauge({ name: 'sked_fires_acquired', help: 'Fires acquired by this node and waiting for their instant', registers: [registry], collect() { this.set(engineStatus().acquired); } });
  // One child per label value, made once: labelling a counter on every increment hashes its labels.
  const firesBy = children((outcome) => fires.labels({ outcome }));
  const startedBy = children((trigger) => started.labels({ trigger }));
  const finishedBy = children((status) => finished.labels({ status }));
  const observer: EngineObserver = {
    fire: (e) => firesBy(e.outcome).inc(),
    runStarted: (e) => {
      startedBy(e.trigger).inc();
      if (e.trigger === 'schedule' && e.scheduledFor !== null) lateness.observe(Math.max(0, e.startedAt - e.scheduledFor) / 1000);
    },
    runFinished: (e) => finishedBy(e.status).inc(),
  };
  return { registry, observer };
}

function children<T>(make: (value: string) => T): (value: string) => T {
  const made = new Map<string, T>();
  return (value) => {
    let child = made.get(value);
    if (child === undefined) {
      child = make(value);
      made.set(value, child);
    }
    return child;
  };
}

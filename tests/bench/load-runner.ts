/**
 * The runner's side of the load generator: forks it, hands it the plan and,
 * while each slice runs, measures the in-process engine it is calling.
 */
import { performance } from 'node:perf_hooks';
import { forkBenchChild } from './bench-child.js';
import type { LoadPlan, LoadReport, PhaseResult } from './load-protocol.js';
import { LoopDelayWatch } from './loop-delay.js';

/** The engine process while one phase key's slices ran: its CPU and event-loop delay. */
export interface ServerFigures {
  cpuPercent: number;
  cpuPerRequestUs: number;
  loopDelayMaxMs: number;
}

/** A phase's load-generator figures with the server's beside them. */
export type MeasuredPhase = PhaseResult & { server: ServerFigures };

interface KeyUsage {
  cpuMicros: number;
  wallMs: number;
  loopDelay: LoopDelayWatch;
}

/** Accumulates the (in-process) engine's CPU time and loop delay per phase key. */
class ServerWatch {
  private readonly keys = new Map<string, KeyUsage>();
  private cpuAtStart = process.cpuUsage();
  private startedMs = 0;

  start(key: string): void {
    if (!this.keys.has(key)) {
      this.keys.set(key, { cpuMicros: 0, wallMs: 0, loopDelay: new LoopDelayWatch() });
    }
    this.keys.get(key)!.loopDelay.start();
    this.cpuAtStart = process.cpuUsage();
    this.startedMs = performance.now();
  }

  end(key: string): void {
    const entry = this.keys.get(key)!;
    const cpu = process.cpuUsage(this.cpuAtStart);
    entry.cpuMicros += cpu.user + cpu.system;
    entry.wallMs += performance.now() - this.startedMs;
    entry.loopDelay.stop();
  }

  figures(result: PhaseResult): ServerFigures {
    const entry = this.keys.get(result.phase.key)!;
    return {
      cpuPercent: entry.cpuMicros / 10 / entry.wallMs,
      cpuPerRequestUs: entry.cpuMicros / Math.max(1, result.completed),
      loopDelayMaxMs: entry.loopDelay.maxMs,
    };
  }
}

/** Forks the load generator, hands it the plan and collects a result per phase key. */
export function runLoadGenerator(plan: LoadPlan): Promise<MeasuredPhase[]> {
  return new Promise((resolve, reject) => {
    const child = forkBenchChild('load-generator.ts');
    const watch = new ServerWatch();
    const results: MeasuredPhase[] = [];
    let done = false;
    child.on('message', (message: LoadReport) => {
      if (message.type === 'slice-start') watch.start(message.key);
      else if (message.type === 'slice-end') watch.end(message.key);
      else if (message.type === 'phase') {
        results.push({ ...message.result, server: watch.figures(message.result) });
      } else if (message.type === 'done') {
        done = true;
        resolve(results);
      } else reject(new Error(`load generator failed: ${message.message}`));
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (!done) reject(new Error(`load generator exited with code ${code}`));
    });
    child.send(plan);
  });
}

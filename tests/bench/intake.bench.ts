import { performance } from 'node:perf_hooks';
import { Metadata } from '@grpc/grpc-js';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { createClient } from '@pulse/grpc';
import { ingestSubject } from '@pulse/nats';
import { IngestService } from '@pulse/proto';
import { UCI_FILE, setup } from '../harness/index.js';
import { spawnCollector } from './collector-process.js';
import type { CollectorProcess } from './collector-process.js';
import { buildIntakeWorkload } from './intake-workload.js';
import type { IntakeWorkload } from './intake-workload.js';
import { formatNumber, row } from './report.js';
import type { BenchResult } from './report.js';

/** Options of {@link runIntakeBench}. */
export interface IntakeBenchOptions {
  /** Events sent through each path, split over `rounds`. */
  events: number;
  rounds: number;
}

const BATCH_SIZE = 100;
/** Requests in flight on every path. */
const IN_FLIGHT = 8;
const WRITE_KEY = 'bench-key';
const SOURCE = 'bench';
const PATHS = ['http', 'grpc', 'nats'] as const;
type IntakePath = (typeof PATHS)[number];

/** Sends one request of a workload by its index; resolves once it was acknowledged. */
type SendBatch = (index: number) => Promise<void>;

/**
 * Collector intake in events/s, batches of 100: Segment HTTP `/v1/batch`
 * against gRPC `IngestBatch` and NATS request/reply, all into one collector
 * process and one nats-server. Paths take turns in rounds, so noise on the
 * shared machine lands on each alike.
 */
export async function runIntakeBench(options: IntakeBenchOptions): Promise<BenchResult> {
  const env = await setup('pulse-bench-intake-');
  const collector = await spawnCollector(env.nats.url, WRITE_KEY, SOURCE);
  const nc = await connect({ servers: env.nats.url, name: 'bench-intake' });
  const grpc = createClient(IngestService, `127.0.0.1:${collector.grpcPort}`, {
    deadlineMs: 30_000,
  });
  try {
    const perRound = Math.ceil(options.events / options.rounds);
    const elapsedMs: Record<IntakePath, number> = { http: 0, grpc: 0, nats: 0 };
    const sent: Record<IntakePath, number> = { http: 0, grpc: 0, nats: 0 };
    let workload: IntakeWorkload | undefined;
    for (let round = 0; round < options.rounds; round += 1) {
      for (const [turn, path] of rotate(PATHS, round).entries()) {
        const runId = `intake-${path}-${round}-${turn}`;
        workload = await buildIntakeWorkload(UCI_FILE, {
          events: perRound,
          batchSize: BATCH_SIZE,
          runId,
        });
        const send = sender(path, workload, collector, nc, grpc);
        elapsedMs[path] += await timeBatches(workload.jsonBodies.length, send);
        sent[path] += workload.events;
      }
    }
    const perSec = (path: IntakePath) => (sent[path] * 1_000) / elapsedMs[path];
    return intakeResult(options, perSec, workload!);
  } finally {
    grpc.close();
    await nc.drain();
    await collector.stop();
    await env.cleanup();
  }
}

function sender(
  path: IntakePath,
  workload: IntakeWorkload,
  collector: CollectorProcess,
  nc: NatsConnection,
  grpc: ReturnType<typeof createClient<typeof IngestService>>,
): SendBatch {
  const expectAll = (accepted: number, index: number) => {
    const expected = Math.min(BATCH_SIZE, workload.events - index * BATCH_SIZE);
    if (accepted !== expected) {
      throw new Error(`${path}: batch ${index} accepted ${accepted} of ${expected}`);
    }
  };
  if (path === 'http') {
    const url = `http://127.0.0.1:${collector.httpPort}/v1/batch`;
    const authorization = `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`;
    return async (index) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body: workload.jsonBodies[index],
      });
      if (response.status !== 200) throw new Error(`http: status ${response.status}`);
      expectAll(((await response.json()) as { accepted: number }).accepted, index);
    };
  }
  if (path === 'grpc') {
    const metadata = new Metadata();
    metadata.set('pulse-source', SOURCE);
    return async (index) => {
      const reply = await grpc.ingestBatch(workload.grpcRequests[index]!, { metadata });
      expectAll(reply.accepted, index);
    };
  }
  const subject = ingestSubject(SOURCE);
  return async (index) => {
    const reply = await nc.request(subject, workload.jsonBodies[index], { timeout: 30_000 });
    expectAll(reply.json<{ accepted: number }>().accepted, index);
  };
}

/** Sends batches 0..count-1 with IN_FLIGHT outstanding; returns the elapsed ms. */
async function timeBatches(count: number, send: SendBatch): Promise<number> {
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < count) await send(next++);
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return performance.now() - started;
}

function rotate<T>(items: readonly T[], by: number): T[] {
  const k = by % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

function intakeResult(
  options: IntakeBenchOptions,
  perSec: (path: IntakePath) => number,
  workload: IntakeWorkload,
): BenchResult {
  const http = perSec('http');
  const floor = { op: '>=', ratio: 0.5 } as const;
  return {
    name: 'intake: collector events/s, batches of 100',
    workload: [
      `${formatNumber(options.events)} UCI order calls per path (${formatNumber(
        workload.meanCallBytes,
      )} B JSON, ${formatNumber(workload.meanEventBytes)} B protobuf each), ` +
        `${options.rounds} rounds, paths taking turns, ${IN_FLIGHT} requests in flight`,
      'one collector process, one nats-server; answered after JetStream stored every event',
      'ratio target 0.5 is our own floor for the HTTP path, not a DESIGN.md figure',
    ],
    rows: [
      row('HTTP /v1/batch vs gRPC IngestBatch', 'events/s', http, perSec('grpc'), floor),
      row('HTTP /v1/batch vs NATS pulse.ingest', 'events/s', http, perSec('nats'), floor),
    ],
    details: {
      headers: ['path', 'events/s'],
      rows: PATHS.map((path) => [path, formatNumber(perSec(path))]),
    },
    raw: { http, grpc: perSec('grpc'), nats: perSec('nats'), ...options },
  };
}

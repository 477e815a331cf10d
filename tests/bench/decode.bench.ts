import { performance } from 'node:perf_hooks';
import { fromBinary } from '@bufbuild/protobuf';
import { decodeEvent } from '@pulse/engine';
import { EventSchema } from '@pulse/proto';
import { UCI_FILE } from '../harness/index.js';
import { buildOrderWorkload } from './order-workload.js';
import { formatNumber, row } from './report.js';
import type { BenchResult } from './report.js';

/** Options of {@link runDecodeBench}. */
export interface DecodeBenchOptions {
  events: number;
  /** Timed passes over the workload per decoder, taking turns; the median counts. */
  rounds: number;
}

type Decoder = (data: Uint8Array) => unknown;

/**
 * Decoding the EVENTS stream's messages: the engine's `decodeEvent` against
 * protobuf-es `fromBinary`, over the same UCI-shaped orders in the same
 * process. The two take turns so that machine noise falls on both.
 */
export function runDecodeBench(options: DecodeBenchOptions): Promise<BenchResult> {
  const workload = buildOrderWorkload(UCI_FILE, { events: options.events, runId: 'decode' });
  const { payloads } = workload;
  const reference: Decoder = (data) => fromBinary(EventSchema, data);
  // One untimed pass each, so both are compiled before the clock starts.
  passMicros(payloads, decodeEvent);
  passMicros(payloads, reference);

  const ours: number[] = [];
  const theirs: number[] = [];
  for (let round = 0; round < options.rounds; round += 1) {
    ours.push(passMicros(payloads, decodeEvent));
    theirs.push(passMicros(payloads, reference));
  }
  const oursUs = median(ours);
  const referenceUs = median(theirs);
  const perEvent = (us: number) => `${us.toFixed(2)} us`;
  return Promise.resolve({
    name: 'decode: EVENTS stream messages into pulse.v1.Event',
    workload: [
      `${workload.description}`,
      `median of ${options.rounds} passes per decoder, taking turns, after one untimed pass each`,
      'ours: decodeEvent (engine ingest); reference: fromBinary(EventSchema) of protobuf-es',
    ],
    rows: [row('decode time per event', 'us', oursUs, referenceUs, { op: '<=', ratio: 0.5 })],
    details: {
      headers: ['decoder', 'median', 'best', 'events/s (median)'],
      rows: [
        ['decodeEvent', perEvent(oursUs), perEvent(Math.min(...ours)), formatNumber(1e6 / oursUs)],
        [
          'fromBinary',
          perEvent(referenceUs),
          perEvent(Math.min(...theirs)),
          formatNumber(1e6 / referenceUs),
        ],
      ],
    },
    raw: { oursUs: ours, referenceUs: theirs },
  });
}

/** Microseconds per message of one pass of `decode` over `payloads`. */
function passMicros(payloads: readonly Uint8Array[], decode: Decoder): number {
  const started = performance.now();
  for (const data of payloads) decode(data);
  return ((performance.now() - started) * 1_000) / payloads.length;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

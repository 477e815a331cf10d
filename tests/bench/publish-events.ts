import { performance } from 'node:perf_hooks';
import { jetstreamManager } from '@nats-io/jetstream';
import { headers } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { HEADERS, STREAMS, rawSubject } from '@pulse/nats';
import type { OrderWorkload } from './order-workload.js';

/** Messages published between two flushes (a PING/PONG round trip). */
const FLUSH_EVERY = 2_000;

/** How long the stream may take to store what a flush already confirmed was received. */
const SETTLE_TIMEOUT_MS = 30_000;

/** What publishing a workload into PULSE_RAW gave. */
export interface PublishResult {
  elapsedMs: number;
  /** The stream sequence of the last message; consumers are done when they reach it. */
  lastSeq: number;
  messages: number;
}

/**
 * Publishes every payload to `pulse.raw.<source>` with its `Nats-Msg-Id` as
 * core NATS messages, flushing every few thousand, then waits until the
 * stream holds them all. Much faster than awaiting a PubAck per message; the
 * final count check catches anything the stream dropped or deduplicated.
 */
export async function publishWorkload(
  nc: NatsConnection,
  workload: OrderWorkload,
  source = 'bench',
): Promise<PublishResult> {
  const subject = rawSubject(source);
  const jsm = await jetstreamManager(nc);
  const before = (await jsm.streams.info(STREAMS.raw)).state.messages;
  const started = performance.now();
  for (let i = 0; i < workload.payloads.length; i += 1) {
    const h = headers();
    h.set(HEADERS.msgId, workload.messageIds[i]!);
    nc.publish(subject, workload.payloads[i]!, { headers: h });
    if ((i + 1) % FLUSH_EVERY === 0) await nc.flush();
  }
  await nc.flush();

  const expected = before + workload.payloads.length;
  const deadline = performance.now() + SETTLE_TIMEOUT_MS;
  for (;;) {
    const { state } = await jsm.streams.info(STREAMS.raw);
    if (state.messages === expected) {
      const elapsedMs = performance.now() - started;
      return { elapsedMs, lastSeq: state.last_seq, messages: workload.payloads.length };
    }
    if (performance.now() > deadline) {
      throw new Error(`${STREAMS.raw} holds ${state.messages} messages, expected ${expected}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

import { performance } from 'node:perf_hooks';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { JsMsg } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { STREAMS } from '@pulse/nats';

/** The engine's default batch size (PULSE_BATCH_MAX). */
const MAX_BATCH = 1_000;

const ACK_WAIT_NS = 30_000_000_000;

/**
 * The ingest reference: a durable consumer with the engine's settings
 * (AckPolicy.All, the same consume() window and batching) that does nothing
 * with a batch but acknowledge its last message. Resolves with the time the
 * ack for `lastSeq` was sent.
 */
export async function consumeAndAckOnly(
  natsUrl: string,
  lastSeq: number,
  timeoutMs: number,
): Promise<number> {
  const nc = await connect({ servers: natsUrl, name: 'bench-ack-only' });
  const jsm = await jetstreamManager(nc);
  await jsm.consumers.add(STREAMS.raw, {
    durable_name: 'bench-ack-only',
    ack_policy: AckPolicy.All,
    ack_wait: ACK_WAIT_NS,
    max_ack_pending: 50_000,
    deliver_policy: DeliverPolicy.All,
  });
  const consumer = await jetstream(nc).consumers.get(STREAMS.raw, 'bench-ack-only');

  let finish!: (atMs: number) => void;
  const done = new Promise<number>((resolve) => (finish = resolve));
  let buffer: JsMsg[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    while (buffer.length > 0) {
      const batch = buffer.slice(0, MAX_BATCH);
      buffer = buffer.slice(batch.length);
      const last = batch[batch.length - 1]!;
      last.ack();
      if (last.seq >= lastSeq) finish(performance.now());
    }
  };
  const messages = await consumer.consume({
    max_messages: 2 * MAX_BATCH,
    callback: (msg) => {
      buffer.push(msg);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
  });

  const timer = setTimeout(() => finish(Number.NaN), timeoutMs);
  const doneAtMs = await done;
  clearTimeout(timer);
  await messages.close();
  await nc.drain();
  if (Number.isNaN(doneAtMs)) throw new Error(`ack-only consumer timed out after ${timeoutMs} ms`);
  return doneAtMs;
}

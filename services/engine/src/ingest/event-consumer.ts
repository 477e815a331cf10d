import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { BatchSizer } from './batch-sizer.js';

/** Options for {@link startEventConsumer}. */
export interface EventConsumerOptions {
  nc: NatsConnection;
  stream: string;
  durable: string;
  /** The last sequence already applied (from LMDB): delivery resumes after it. */
  appliedSeq: number;
  /** Most messages handed to `apply` at once. @default 1_000 */
  maxBatch?: number;
  /**
   * Apply time a batch aims for, in ms: batches shrink below `maxBatch` when
   * applying that many would hold the event loop longer (see BatchSizer);
   * 0 always takes up to `maxBatch`. @default 0
   */
  budgetMs?: number;
  /**
   * How long a batch smaller than `maxBatch` may wait for more messages, in
   * ms: at a trickle, fewer and larger commits. @default 0
   */
  maxWaitMs?: number;
  /**
   * Applies a batch; settles once its effects are committed, with the
   * milliseconds it held the event loop (what `budgetMs` limits: a commit
   * waited for off the loop does not count). The batch is acknowledged only
   * then, and the next batch starts only then.
   */
  apply: (batch: JsMsg[]) => Promise<number>;
  /**
   * Called once when `apply` fails. Nothing after the failed batch is
   * acknowledged; the owner should stop and let a restart resume from LMDB.
   */
  onError: (err: unknown) => void;
  logger: Logger;
}

/** A running consumer; {@link EventConsumer.stop} drains what it holds. */
export interface EventConsumer {
  stop(): Promise<void>;
  /** Applies nothing more until {@link EventConsumer.resume}; messages keep arriving. */
  pause(): void;
  resume(): void;
}

const ACK_WAIT_NS = 30_000_000_000;

/**
 * Pulls events from a durable JetStream consumer and applies them in batches.
 * Messages that arrive together are applied together in one call; the last
 * one is acknowledged (AckAll) after the batch is committed.
 */
export async function startEventConsumer(options: EventConsumerOptions): Promise<EventConsumer> {
  const log = options.logger.child({ component: 'event-consumer' });
  const maxBatch = options.maxBatch ?? 1_000;
  await ensureDurable(options, log);
  const consumer = await jetstream(options.nc).consumers.get(options.stream, options.durable);

  const sizer = new BatchSizer(maxBatch, options.budgetMs ?? 0);
  let buffer: JsMsg[] = [];
  let scheduled = false;
  let failed = false;
  let paused = false;
  /** Set by stop(), which applies what is left itself. */
  let stopping = false;
  /** The batch being applied; at most one at a time. */
  let inFlight: Promise<void> | undefined;
  const applyNext = async (): Promise<void> => {
    const size = sizer.next();
    const batch = buffer.length <= size ? buffer : buffer.slice(0, size);
    buffer = buffer.length <= size ? [] : buffer.slice(size);
    let holdMs: number;
    try {
      holdMs = await options.apply(batch);
    } catch (err) {
      // AckAll would cover this batch with the next ack: stop acking at all.
      failed = true;
      buffer = [];
      options.onError(err);
      return;
    }
    sizer.record(batch.length, holdMs);
    batch[batch.length - 1]!.ack();
  };
  // One batch at a time, each started from a fresh turn of the event loop:
  // gRPC calls and timers run between batches even while a backlog drains.
  const flush = () => {
    scheduled = false;
    if (buffer.length === 0 || failed || paused || stopping || inFlight) return;
    inFlight = applyNext().finally(() => {
      inFlight = undefined;
      if (buffer.length > 0) schedule();
    });
  };
  const maxWaitMs = options.maxWaitMs ?? 0;
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    if (maxWaitMs > 0 && buffer.length < sizer.next()) setTimeout(flush, maxWaitMs);
    else setImmediate(flush);
  };
  const messages: ConsumerMessages = await consumer.consume({
    max_messages: Math.max(2 * maxBatch, 1_000),
    callback: (msg) => {
      if (failed) return;
      buffer.push(msg);
      schedule();
    },
  });
  log.info({ stream: options.stream, durable: options.durable }, 'consuming events');
  void watchConsumer(messages, (reason) => {
    if (failed) return;
    failed = true;
    buffer = [];
    options.onError(new Error(`consumer ${options.durable} ${reason}`));
  });

  return {
    async stop() {
      await messages.close();
      stopping = true;
      paused = false;
      await inFlight;
      while (buffer.length > 0 && !failed) await applyNext();
      log.info('event consumer stopped');
    },
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      schedule();
    },
  };
}

/**
 * A deleted or vanished consumer would leave this engine silently idle (for
 * instance when a second engine recreated it): treat it as fatal, so the
 * process restarts and resumes from its own applied position.
 */
async function watchConsumer(
  messages: ConsumerMessages,
  onLost: (reason: string) => void,
): Promise<void> {
  for await (const status of messages.status()) {
    if (status.type === 'consumer_deleted') onLost('was deleted');
    else if (status.type === 'consumer_not_found') onLost('was not found');
    else if (status.type === 'stream_not_found') onLost('lost its stream');
  }
}

/**
 * Makes the durable consumer deliver from `appliedSeq + 1`. LMDB, not the
 * consumer, is the record of what was applied: when the two disagree (a crash
 * between commit and ack, or messages delivered but never applied), the
 * consumer is recreated at the applied position instead of waiting for the
 * ack timeout to redeliver.
 */
async function ensureDurable(options: EventConsumerOptions, log: Logger): Promise<void> {
  const jsm = await jetstreamManager(options.nc);
  const { stream, durable, appliedSeq } = options;
  const existing = await jsm.consumers.info(stream, durable).catch(() => undefined);
  if (existing && existing.delivered.stream_seq === appliedSeq && existing.num_ack_pending === 0) {
    return;
  }
  if (existing) {
    log.info(
      { deliveredSeq: existing.delivered.stream_seq, appliedSeq },
      'consumer position differs from applied position; recreating it',
    );
    await jsm.consumers.delete(stream, durable);
  }
  await jsm.consumers.add(stream, {
    durable_name: durable,
    ack_policy: AckPolicy.All,
    ack_wait: ACK_WAIT_NS,
    max_ack_pending: 50_000,
    ...(appliedSeq > 0
      ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: appliedSeq + 1 }
      : { deliver_policy: DeliverPolicy.All }),
  });
}

import { randomUUID } from 'node:crypto';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { PulseStore } from '@pulse/store';
import type { Logger } from 'pino';

const OUTBOX_ID_BASE_KEY = 'outbox-id-base';

/** How often the outbox is drained when no batch asks for it. */
const DRAIN_INTERVAL_MS = 200;

/** Outbox entries published per round. */
const DRAIN_CHUNK = 500;

/** Publishes committed audience transitions from the LMDB outbox. */
export interface TransitionPublisher {
  /** Starts a drain unless one runs; resolves when it ends. */
  drain(): Promise<void>;
  /** Stops the timer and finishes the drain in progress. */
  stop(): Promise<void>;
}

/**
 * Drains the outbox into PULSE_AUDIENCE, one subject per audience, and
 * removes entries only after JetStream acknowledged them. The message id
 * names the entry, so a drain repeated after a crash is dropped by JetStream
 * as a duplicate: followers see each transition once.
 */
export function startTransitionPublisher(
  store: PulseStore,
  nc: NatsConnection,
  logger: Logger,
): TransitionPublisher {
  const log = logger.child({ component: 'transition-publisher' });
  const js = jetstream(nc);
  const idBase = outboxIdBase(store);
  let running: Promise<void> | undefined;

  const drainOnce = async () => {
    for (;;) {
      const pending = store.pendingOutbox(DRAIN_CHUNK);
      if (pending.length === 0) return;
      await Promise.all(
        pending.map(({ id, subject, message }) =>
          js.publish(subject, message, { msgID: `${idBase}:${id}` }),
        ),
      );
      // Committed on LMDB's writer thread: the event loop goes on meanwhile.
      await store.transactionAsync(() => store.ackOutbox(pending.map((p) => p.id)));
    }
  };
  const drain = () => {
    running ??= drainOnce()
      .catch((err: unknown) => log.warn({ err }, 'publishing transitions failed; will retry'))
      .finally(() => (running = undefined));
    return running;
  };
  const timer = setInterval(() => void drain(), DRAIN_INTERVAL_MS);
  timer.unref();
  return {
    drain,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

/**
 * A random id made once per LMDB environment: outbox ids restart with a new
 * environment, and the base keeps them distinct from an old one's (and from
 * other engines') within JetStream's duplicate window.
 */
function outboxIdBase(store: PulseStore): string {
  const existing = store.meta.get(OUTBOX_ID_BASE_KEY);
  if (existing) return existing;
  const created = randomUUID();
  store.transaction(() => store.meta.putSync(OUTBOX_ID_BASE_KEY, created));
  return created;
}

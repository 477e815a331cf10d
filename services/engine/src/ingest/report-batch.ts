import { jetstream } from '@nats-io/jetstream';
import type { JsMsg } from '@nats-io/jetstream';
import { headers } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { HEADERS, deadLetterSubject } from '@pulse/nats';
import type { Logger } from 'pino';
import type { BatchOutcome } from './apply-batch.js';

/** Logs a batch and sends messages it could not apply to the dead-letter stream. */
export function reportBatch(
  nc: NatsConnection,
  batch: JsMsg[],
  outcome: BatchOutcome,
  log: Logger,
): void {
  if (log.isLevelEnabled('debug')) {
    log.debug({ ...outcome, transitions: outcome.transitions.length }, 'batch applied');
  }
  if (outcome.invalid.length === 0) return;
  const js = jetstream(nc);
  for (const { seq, reason } of outcome.invalid) {
    const message = batch.find((m) => m.seq === seq);
    if (!message) continue;
    const h = headers();
    h.set(HEADERS.reason, reason);
    h.set(HEADERS.source, message.subject);
    js.publish(deadLetterSubject('engine'), message.data, { headers: h }).catch((err: unknown) =>
      log.error({ err, seq }, 'invalid stream message could not be dead-lettered'),
    );
  }
  log.warn({ invalid: outcome.invalid }, 'invalid stream messages set aside');
}

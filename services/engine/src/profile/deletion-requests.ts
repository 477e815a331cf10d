import { randomUUID } from 'node:crypto';
import { create, toBinary } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { HEADERS, rawSubject } from '@pulse/nats';
import { headers } from '@nats-io/transport-node';
import { EventSchema, EventType } from '@pulse/proto';

/** Source token deletions are published under on the raw stream. */
export const DELETION_SOURCE = 'pulse-deletions';

/** A deletion queued on the event stream. */
export interface QueuedDeletion {
  deletionId: string;
  /** Its sequence in the raw stream: applied once the engine has passed it. */
  seq: number;
}

/** Publishes deletions onto the raw stream, in order with the events they follow. */
export interface DeletionRequests {
  request(
    identifiers: readonly { type: string; value: string }[],
    suppress: boolean,
    reason: string,
  ): Promise<QueuedDeletion>;
}

/**
 * Deletions travel through the event stream rather than straight into LMDB,
 * so they apply in order with the person's events, are replayed after a
 * restart like any other event, and reach the engine that owns the profile.
 */
export function createDeletionRequests(nc: NatsConnection): DeletionRequests {
  const js = jetstream(nc);
  return {
    async request(identifiers, suppress, reason) {
      const deletionId = `delete-${randomUUID()}`;
      const nowMs = Date.now();
      const event = create(EventSchema, {
        messageId: deletionId,
        type: EventType.DELETE,
        timestamp: timestampFromMs(nowMs),
        receivedAt: timestampFromMs(nowMs),
        source: DELETION_SOURCE,
        identifiers: identifiers.map(({ type, value }) => ({ type, value })),
        deletion: { suppress, reason },
      });
      const h = headers();
      h.set(HEADERS.source, DELETION_SOURCE);
      const ack = await js.publish(rawSubject(DELETION_SOURCE), toBinary(EventSchema, event), {
        msgID: deletionId,
        headers: h,
      });
      return { deletionId, seq: ack.seq };
    },
  };
}

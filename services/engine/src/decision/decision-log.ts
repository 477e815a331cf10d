import { create, toBinary } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { headers } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { HEADERS, rawSubject } from '@pulse/nats';
import { EventSchema, EventType } from '@pulse/proto';
import type { DecisionLogged } from '@pulse/proto';

/** Source token decisions are published under on the raw stream. */
export const DECISION_SOURCE = 'pulse-decisions';

/** Puts decisions on the raw stream. */
export interface DecisionLog {
  publish(decision: DecisionLogged): void;
}

/**
 * Decisions go onto the raw stream (subject `pulse.raw.pulse-decisions`) as
 * `DECISION` events: every engine applies them in order with the feedback
 * that follows, so every engine learns the same, and the stream is the log
 * analysts read (what was eligible, the scores, the choice). A core publish,
 * not awaited: Decide does not wait for JetStream. A decision published
 * while NATS is unreachable is buffered by the client and sent on reconnect;
 * feedback that overtakes its decision is counted as for an unknown one.
 */
export function createDecisionLog(nc: NatsConnection): DecisionLog {
  const subject = rawSubject(DECISION_SOURCE);
  return {
    publish(decision) {
      const event = create(EventSchema, {
        messageId: decision.decisionId,
        type: EventType.DECISION,
        // When it was made; `decision.decidedAt` is the instant decided at
        // (a Decide `as_of` may lie days ahead, past what an event may claim).
        timestamp: timestampFromMs(Date.now()),
        receivedAt: timestampFromMs(Date.now()),
        source: DECISION_SOURCE,
        decision,
      });
      const h = headers();
      h.set(HEADERS.msgId, decision.decisionId);
      h.set(HEADERS.source, DECISION_SOURCE);
      nc.publish(subject, toBinary(EventSchema, event), { headers: h });
    },
  };
}

import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { headers } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { HEADERS, rawSubject } from '@pulse/nats';
import type { Decision } from '@pulse/learning';
import { OfferVerdict } from '@pulse/proto';
import type { DecisionLogged } from '@pulse/proto';
import { encodeDecisionEvent } from './encode-decision-event.js';

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
 * not awaited: Decide does not wait for JetStream. It is made before Decide
 * answers, so the client writes it to NATS ahead of the response, and
 * feedback the caller sends on the response reaches the stream after it. A
 * decision published while NATS is unreachable is buffered by the client
 * and sent on reconnect; feedback that overtakes its decision then is
 * counted as for an unknown one. A closed connection throws, so Decide fails
 * rather than answer unlogged.
 */
export function createDecisionLog(nc: NatsConnection): DecisionLog {
  const subject = rawSubject(DECISION_SOURCE);
  return {
    publish(decision) {
      const h = headers();
      h.set(HEADERS.msgId, decision.decisionId);
      h.set(HEADERS.source, DECISION_SOURCE);
      nc.publish(subject, encodeDecision(decision), { headers: h });
    },
  };
}

function encodeDecision(decision: DecisionLogged): Uint8Array {
  // When it was made; `decision.decidedAt` is the instant decided at
  // (a Decide `as_of` may lie days ahead, past what an event may claim).
  const nowMs = Date.now();
  const fields = {
    messageId: decision.decisionId,
    source: DECISION_SOURCE,
    timestampMs: nowMs,
    receivedAtMs: nowMs,
  };
  return encodeDecisionEvent(fields, decision);
}

/** The proto verdict of each libs/learning verdict. */
export const OFFER_VERDICT_CODES: Readonly<
  Record<Decision['considered'][number]['verdict'], OfferVerdict>
> = {
  chosen: OfferVerdict.CHOSEN,
  not_eligible: OfferVerdict.NOT_ELIGIBLE,
  outside_schedule: OfferVerdict.OUTSIDE_SCHEDULE,
  capped: OfferVerdict.CAPPED,
  cooling_down: OfferVerdict.COOLING_DOWN,
  outranked: OfferVerdict.OUTRANKED,
  same_group: OfferVerdict.SAME_GROUP,
  held_out: OfferVerdict.HELD_OUT,
};

/** The log record of a decision: every offer considered, in one pass. */
export function toDecisionLogged(
  decision: Decision,
  profileId: string,
  decidedAtMs: number,
  personalized: boolean,
): DecisionLogged {
  const ids: string[] = [];
  const verdicts: OfferVerdict[] = [];
  const scores: number[] = [];
  for (const c of decision.considered) {
    ids.push(c.offerId);
    verdicts.push(OFFER_VERDICT_CODES[c.verdict]);
    scores.push(c.score ?? 0);
  }
  // A literal rather than `create`, which builds messages reflectively.
  return {
    $typeName: 'pulse.v1.DecisionLogged',
    decisionId: decision.decisionId,
    profileId,
    placement: decision.placement,
    decidedAt: timestampFromMs(decidedAtMs),
    consideredOfferIds: ids.join('\n'),
    consideredVerdicts: verdicts,
    consideredScores: scores,
    holdout: decision.holdout,
    personalized,
    context: decision.record.x,
    model: decision.model,
    explored: decision.deviated,
    chosen: decision.offers.map((o) => o.offerId),
    chosenGroups: decision.offers.map((o) => o.group ?? ''),
  };
}

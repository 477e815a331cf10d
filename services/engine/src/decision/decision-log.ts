import { setTimeout as sleep } from 'node:timers/promises';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { jetstream } from '@nats-io/jetstream';
import { headers } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { UnavailableError } from '@pulse/grpc';
import { HEADERS, rawSubject } from '@pulse/nats';
import type { Decision } from '@pulse/learning';
import { OfferVerdict } from '@pulse/proto';
import type { DecisionLogged } from '@pulse/proto';
import type { Logger } from 'pino';
import { encodeDecisionEvent } from './encode-decision-event.js';

/** Source token decisions are published under on the raw stream. */
export const DECISION_SOURCE = 'pulse-decisions';

/** Puts decisions on the raw stream. */
export interface DecisionLog {
  /**
   * Sends the decision to JetStream at once and keeps sending it until it is
   * stored. Throws UnavailableError when it cannot be taken: the connection
   * is closed, or too many decisions wait for JetStream already.
   */
  publish(decision: DecisionLogged): void;
  /** Decisions sent but not yet stored. */
  readonly unconfirmed: number;
  /** Waits until every decision is stored, at most `timeoutMs`; then stops retrying. */
  close(timeoutMs: number): Promise<void>;
}

/** Options of {@link createDecisionLog}. */
export interface DecisionLogOptions {
  logger?: Logger;
  /** How long one send waits for JetStream's acknowledgement. @default 5_000 */
  ackTimeoutMs?: number;
  /** Decisions that may wait for JetStream before Decide refuses more. @default 100_000 */
  maxUnconfirmed?: number;
}

/** Waits between sends of a decision JetStream has not acknowledged. */
const RETRY_DELAYS_MS = [100, 250, 500, 1_000, 2_000];

/**
 * Decisions go onto the raw stream (subject `pulse.raw.pulse-decisions`) as
 * `DECISION` events: every engine applies them in order with the feedback
 * that follows, so every engine learns the same, and the stream is the log
 * analysts read (what was eligible, the scores, the choice).
 *
 * Decide does not wait for JetStream, but the event is handed to the NATS
 * client before Decide answers, so the client writes it ahead of the answer
 * and feedback sent on the answer reaches the stream after it. Each event is
 * sent as a JetStream publish and sent again until acknowledged (the NATS
 * client drops what it buffered while disconnected); the decision id is its
 * message id, so JetStream, and past its duplicate window the engine's dedupe
 * index, keep one copy. Feedback that overtakes a decision re-sent after an
 * outage counts as for an unknown decision.
 */
export function createDecisionLog(
  nc: NatsConnection,
  options: DecisionLogOptions = {},
): DecisionLog {
  const subject = rawSubject(DECISION_SOURCE);
  const js = jetstream(nc);
  const log = options.logger?.child({ component: 'decision-log' });
  const ackTimeoutMs = options.ackTimeoutMs ?? 5_000;
  const maxUnconfirmed = options.maxUnconfirmed ?? 100_000;
  const unconfirmed = new Set<Promise<void>>();
  let closing = false;

  const store = async (decisionId: string, data: Uint8Array): Promise<void> => {
    const h = headers();
    h.set(HEADERS.source, DECISION_SOURCE);
    for (let attempt = 0; ; attempt += 1) {
      try {
        await js.publish(subject, data, { msgID: decisionId, headers: h, timeout: ackTimeoutMs });
        if (attempt > 0) log?.info({ decisionId, attempts: attempt + 1 }, 'decision stored');
        return;
      } catch (err) {
        if (closing || nc.isClosed()) {
          log?.error({ err, decisionId }, 'decision not stored: the engine is stopping');
          return;
        }
        if (err instanceof Error && err.name === 'InvalidArgumentError') {
          // Sending again cannot help (the message is over the server's max_payload).
          log?.error({ err, decisionId }, 'decision not stored');
          return;
        }
        if (attempt === 0) log?.warn({ err, decisionId }, 'decision not stored yet; sending again');
        await sleep(RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length - 1)]);
      }
    }
  };

  return {
    publish(decision) {
      if (closing || nc.isClosed()) {
        throw new UnavailableError('decisions cannot be logged: the NATS connection is closed');
      }
      if (unconfirmed.size >= maxUnconfirmed) {
        throw new UnavailableError(
          `decisions cannot be logged: ${unconfirmed.size} wait for JetStream already`,
        );
      }
      const sending = store(decision.decisionId, encodeDecision(decision));
      unconfirmed.add(sending);
      void sending.finally(() => unconfirmed.delete(sending));
    },
    get unconfirmed() {
      return unconfirmed.size;
    },
    async close(timeoutMs) {
      const all = Promise.all(unconfirmed);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
      await Promise.race([all, timeout]);
      clearTimeout(timer);
      closing = true;
      if (unconfirmed.size > 0) {
        log?.error({ unconfirmed: unconfirmed.size }, 'decisions not stored before stopping');
      }
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

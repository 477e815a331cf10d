import type { DecisionLogged } from '@pulse/proto';
import { fail, WIRE_LENGTH, WIRE_VARINT } from '../ingest/wire-reader.js';
import type { WireReader } from '../ingest/wire-reader.js';

// The decision record inside the DECISION events this engine writes
// (encode-decision-event.ts), for the ingest fast path (decode-event.ts).
// They come back from the raw stream once per decision.

/** A packed list read in parts (allowed, if never written so) is their concatenation. */
function joined(head: number[], tail: number[]): number[] {
  return head.length === 0 ? tail : head.concat(tail);
}

/** A DecisionLogged as the engine writes it (a second one in an event is left to fromBinary). */
export function readDecisionLogged(r: WireReader): DecisionLogged {
  const d: DecisionLogged = {
    $typeName: 'pulse.v1.DecisionLogged',
    decisionId: '',
    profileId: '',
    placement: '',
    consideredOfferIds: '',
    consideredVerdicts: [],
    consideredScores: [],
    holdout: false,
    personalized: false,
    context: [],
    model: '',
    explored: false,
    chosen: [],
    chosenGroups: [],
  };
  const outer = r.enter();
  while (r.pos < r.end) {
    const tag = r.uint31();
    switch (tag) {
      case (1 << 3) + WIRE_LENGTH:
        d.decisionId = r.string();
        break;
      case (2 << 3) + WIRE_LENGTH:
        d.profileId = r.string();
        break;
      case (3 << 3) + WIRE_LENGTH:
        d.placement = r.string();
        break;
      case (4 << 3) + WIRE_LENGTH:
        d.decidedAt = r.timestamp(d.decidedAt);
        break;
      case (6 << 3) + WIRE_VARINT:
        d.holdout = r.bool();
        break;
      case (7 << 3) + WIRE_VARINT:
        d.personalized = r.bool();
        break;
      case (8 << 3) + WIRE_LENGTH:
        d.context = joined(d.context, r.doubles());
        break;
      case (9 << 3) + WIRE_LENGTH:
        d.model = r.string();
        break;
      case (10 << 3) + WIRE_VARINT:
        d.explored = r.bool();
        break;
      case (11 << 3) + WIRE_LENGTH:
        d.chosen.push(r.string());
        break;
      case (12 << 3) + WIRE_LENGTH:
        d.chosenGroups.push(r.string());
        break;
      case (14 << 3) + WIRE_LENGTH:
        d.consideredVerdicts = joined(d.consideredVerdicts, r.varints());
        break;
      case (15 << 3) + WIRE_LENGTH:
        d.consideredScores = joined(d.consideredScores, r.doubles());
        break;
      case (16 << 3) + WIRE_LENGTH:
        d.consideredOfferIds = r.string();
        break;
      default:
        fail();
    }
  }
  r.end = outer;
  return d;
}

import { create } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { DecisionLoggedSchema } from '@pulse/proto';
import { encodeDecisionEvent } from './src/decision/encode-decision-event.js';
import * as m from './src/decision/decode-decision-event.js';
const d = create(DecisionLoggedSchema, { decisionId: 'x', decidedAt: timestampFromMs(Date.now()), consideredScores: [1], consideredVerdicts: [6] });
const data = encodeDecisionEvent({ messageId: 'x', source: 's', timestampMs: Date.now(), receivedAtMs: Date.now() }, d);
console.log(Buffer.from(data).toString('hex'));
console.log(m.decodeEvent(data).decision);

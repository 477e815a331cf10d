import { create, fromBinary } from '@bufbuild/protobuf';
import type { MsgHdrs, NatsConnection } from '@nats-io/transport-node';
import { DecisionLoggedSchema, EventSchema } from '@pulse/proto';
import { describe, expect, it } from 'vitest';
import { createDecisionLog } from '../src/decision/decision-log.js';

interface Published {
  subject: string;
  decisionId: string | undefined;
  msgId: string | undefined;
}

/** The part of a connection the log uses, recording what it publishes. */
function fakeConnection(state: { closed: boolean }) {
  const published: Published[] = [];
  const nc = {
    publish(subject: string, data: Uint8Array, options: { headers: MsgHdrs }) {
      if (state.closed) throw new Error('connection closed');
      const decisionId = fromBinary(EventSchema, data).decision?.decisionId;
      published.push({ subject, decisionId, msgId: options.headers.get('Nats-Msg-Id') });
    },
  };
  return { nc: nc as unknown as NatsConnection, published };
}

const decision = (decisionId: string) => create(DecisionLoggedSchema, { decisionId });

describe('createDecisionLog', () => {
  it('publishes each decision before publish returns, in order, with its id as Nats-Msg-Id', () => {
    const { nc, published } = fakeConnection({ closed: false });
    const log = createDecisionLog(nc);

    log.publish(decision('d1'));
    expect(published.map((p) => p.decisionId)).toEqual(['d1']);
    log.publish(decision('d2'));
    log.publish(decision('d3'));

    expect(published).toEqual(
      ['d1', 'd2', 'd3'].map((id) => ({
        subject: 'pulse.raw.pulse-decisions',
        decisionId: id,
        msgId: id,
      })),
    );
  });

  it('fails at once when the connection is closed', () => {
    const { nc, published } = fakeConnection({ closed: true });
    const log = createDecisionLog(nc);

    expect(() => log.publish(decision('d1'))).toThrow('connection closed');
    expect(published).toEqual([]);
  });
});

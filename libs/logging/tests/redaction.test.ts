import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';

import { createRootLogger } from '../src/index.js';

/** A root logger writing into memory, and the lines it wrote as raw text. */
function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createRootLogger({ service: 'test', destination }), lines };
}

describe('createRootLogger redaction', () => {
  it('hides an email and a phone at the top level and one object down', () => {
    const { logger, lines } = capture();

    logger.info({ email: 'ada@example.com', profile: { phone: '+442079460958' } }, 'seen');

    expect(lines[0]).not.toContain('ada@example.com');
    expect(lines[0]).not.toContain('+442079460958');
    const line = JSON.parse(lines[0]!);
    expect(line.email).toBe('[redacted]');
    expect(line.profile.phone).toBe('[redacted]');
  });

  it('hides the traits and ids of a Segment call nested in an event', () => {
    const { logger, lines } = capture();
    const call = {
      userId: 'u-17850',
      anonymousId: 'anon-9',
      context: { traits: { email: 'ada@example.com', name: 'Ada' }, ip: '203.0.113.7' },
    };

    logger.warn({ event: call }, 'event rejected');

    for (const secret of ['u-17850', 'anon-9', 'ada@example.com', 'Ada', '203.0.113.7']) {
      expect(lines[0]).not.toContain(secret);
    }
  });

  it('hides identifier values but keeps their types', () => {
    const { logger, lines } = capture();
    const identifiers = [{ type: 'email', value: 'ada@example.com' }];

    logger.info({ identifier: { type: 'phone', value: '+442079460958' }, identifiers }, 'x');

    const line = JSON.parse(lines[0]!);
    expect(line.identifier).toEqual({ type: 'phone', value: '[redacted]' });
    expect(line.identifiers).toEqual([{ type: 'email', value: '[redacted]' }]);
  });

  it('hides authorization headers, API keys and write keys', () => {
    const { logger, lines } = capture();
    const headers = { authorization: 'Bearer pk_secret1', 'x-api-key': 'pk_secret2' };

    logger.info({ req: { headers }, apiKey: 'pk_secret3', body: { writeKey: 'wk_4' } }, 'x');

    for (const secret of ['pk_secret1', 'pk_secret2', 'pk_secret3', 'wk_4']) {
      expect(lines[0]).not.toContain(secret);
    }
  });

  it('keeps fields that are not personal', () => {
    const { logger, lines } = capture();
    logger.info({ audienceId: 'lapsed', members: 3 }, 'audience recomputed');
    expect(JSON.parse(lines[0]!)).toMatchObject({ audienceId: 'lapsed', members: 3 });
  });
});

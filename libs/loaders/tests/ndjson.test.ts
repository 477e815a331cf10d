import { normalizeEvent } from '@pulse/events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { readNdjson } from '../src/index.js';
import { collect, documentedId, tempFileDir } from './fixtures.js';

let files: Awaited<ReturnType<typeof tempFileDir>>;
beforeAll(async () => {
  files = await tempFileDir();
});
afterAll(() => files.cleanup());

describe('readNdjson', () => {
  it('reads one call a line, keeping given message ids and numbering the others', async () => {
    const lines = [
      '{"type":"identify","userId":"u1","traits":{"plan":"gold"},"messageId":"given-1"}',
      '',
      '{"type":"track","userId":"u1","event":"Order Completed","properties":{"revenue":9.5}}',
      '{"type":"page","anonymousId":"a1","name":"Home","message_id":"given-2"}\r',
    ];
    const file = await files.write(lines.join('\n'));
    const records = await collect(readNdjson(file));

    expect(records.map((r) => r.line)).toEqual([1, 3, 4]);
    expect(records[0]!.call).toMatchObject({ messageId: 'given-1' });
    expect(records[1]!.call).toMatchObject({ messageId: documentedId('ndjson', 3, lines[2]!) });
    expect(records[2]!.call).not.toHaveProperty('messageId');
    for (const { call } of records) {
      expect(() => normalizeEvent(call, { source: 't', receivedAtMs: Date.now() })).not.toThrow();
    }
  });

  it('passes a line that is not JSON on as its text, naming the line', async () => {
    const file = await files.write('{"type":"track","userId":"u","event":"A"}\n{"type": "tr\n');
    const records = await collect(readNdjson(file));

    expect(records[1]).toMatchObject({ call: '{"type": "tr', line: 2 });
    expect(records[1]!.problem).toMatch(/not valid JSON/);
  });

  it('reports the bytes it read', async () => {
    const text = '{"type":"track","userId":"u","event":"A"}\n'; // 42 bytes
    const file = await files.write(text.repeat(3));
    let bytes = 0;
    await collect(readNdjson(file, { onBytes: (n) => (bytes += n) }));
    expect(bytes).toBe(126);
  });
});

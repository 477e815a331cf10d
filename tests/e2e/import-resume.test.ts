import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstreamManager } from '@nats-io/jetstream';
import { STREAMS } from '@pulse/nats';
import { spawnCli } from '../harness/cli-process.js';
import { setup, waitFor } from '../harness/index.js';
import type { TestEnv } from '../harness/index.js';
import { startStack } from '../harness/stack.js';
import type { Stack } from '../harness/stack.js';
import { featureNumber, profileOf } from './helpers.js';
import { generateRees46Rows, purchasesByUser, rees46Csv } from './rees46-reference.js';

const ROWS = 8_000;
const USERS = 40;

/** Two separate stacks: one for the interrupted import, one for a single run. */
describe('pulse import interrupted with SIGINT and run again', () => {
  const rows = generateRees46Rows(ROWS, USERS);
  const expected = purchasesByUser(rows);
  let interruptedEnv: TestEnv;
  let interrupted: Stack;
  let singleEnv: TestEnv;
  let single: Stack;
  let file: string;

  beforeAll(async () => {
    interruptedEnv = await setup();
    interrupted = await startStack(interruptedEnv);
    singleEnv = await setup();
    single = await startStack(singleEnv);
    file = join(interruptedEnv.dir, 'rees46-events.csv');
    writeFileSync(file, rees46Csv(rows));
  });

  afterAll(async () => {
    await interrupted?.stop();
    await interruptedEnv?.cleanup();
    await single?.stop();
    await singleEnv?.cleanup();
  });

  const importArgs = (env: TestEnv) => [
    'import',
    file,
    '--format',
    'rees46',
    '--source',
    'rees46',
    '--nats-url',
    env.nats.url,
    '--state-dir',
    join(env.dir, 'import-state'),
    '--batch-size',
    '20',
    '--json',
  ];

  it('stops at about half with a checkpoint, then resumes to every figure of one run', async () => {
    // The interrupted import.
    const jsm = await jetstreamManager(interrupted.nc);
    const first = spawnCli(importArgs(interruptedEnv));
    const storedAtSignal = await waitFor(
      async () => {
        const stored = (await jsm.streams.info(STREAMS.raw)).state.messages;
        return stored >= ROWS * 0.4 ? stored : undefined;
      },
      60_000,
      5,
    );
    first.child.kill('SIGINT');
    expect(await first.exited, first.stderr()).toBe(130);
    const checkpoint = readCheckpoint(join(interruptedEnv.dir, 'import-state'));
    expect(storedAtSignal).toBeLessThan(ROWS);
    expect(checkpoint.acknowledged).toBeGreaterThan(0);
    expect(checkpoint.acknowledged).toBeLessThan(ROWS);

    // Run again: it resumes after the checkpoint and sends the rest.
    const second = spawnCli(importArgs(interruptedEnv));
    expect(await second.exited, second.stderr()).toBe(0);
    const totals = JSON.parse(second.stdout()) as Record<string, number>;
    expect(totals.resumedAfter).toBe(checkpoint.acknowledged);
    expect(totals.calls).toBe(ROWS - checkpoint.acknowledged);
    expect(totals.rejected).toBe(0);
    expect(existsSync(checkpoint.path)).toBe(false);

    // One uninterrupted import into the other stack.
    const once = spawnCli(importArgs(singleEnv));
    expect(await once.exited, once.stderr()).toBe(0);
    expect(JSON.parse(once.stdout())).toMatchObject({ calls: ROWS, accepted: ROWS });

    for (const stack of [interrupted, single]) {
      await stack.caughtUp();
      const stream = await (await jetstreamManager(stack.nc)).streams.info(STREAMS.raw);
      expect(stream.state.messages).toBe(ROWS);
      for (const [userId, figures] of expected) {
        const profile = await profileOf(stack, 'user_id', userId);
        expect(featureNumber(profile!, 'orders_lifetime') ?? 0, userId).toBe(figures.orders);
        const spend = featureNumber(profile!, 'spend_lifetime') ?? 0;
        expect(Math.round(spend * 100), userId).toBe(figures.cents);
      }
    }
  }, 180_000);

  it('sends a bad NDJSON line to the DLQ and names its line', async () => {
    const ndjson = join(interruptedEnv.dir, 'calls.ndjson');
    const good = (n: number) =>
      JSON.stringify({
        type: 'track',
        userId: 'nd-1',
        event: 'Order Completed',
        properties: { revenue: n },
      });
    writeFileSync(ndjson, [good(5), '{"type": "track",', good(7), '{"type":"track"}'].join('\n'));
    const jsm = await jetstreamManager(interrupted.nc);
    const dlqBefore = (await jsm.streams.info(STREAMS.deadLetter)).state.messages;

    const run = spawnCli([
      ...importArgs(interruptedEnv).slice(0, 1),
      ndjson,
      '--format',
      'ndjson',
      '--nats-url',
      interruptedEnv.nats.url,
      '--state-dir',
      join(interruptedEnv.dir, 'nd-state'),
    ]);
    expect(await run.exited, run.stderr()).toBe(0);

    expect(run.stdout()).toMatch(/4 events sent: 2 accepted, 0 duplicates, 2 rejected/);
    expect(run.stdout()).toMatch(/line 2: rejected: type: .*not valid JSON/);
    expect(run.stdout()).toMatch(/line 4: rejected: userId/);
    expect((await jsm.streams.info(STREAMS.deadLetter)).state.messages).toBe(dlqBefore + 2);
    await interrupted.caughtUp();
    const profile = await profileOf(interrupted, 'user_id', 'nd-1');
    expect(featureNumber(profile!, 'spend_lifetime')).toBe(12); // 5 + 7
  });

  it('stops at a malformed row naming it, and counts every row once after the fix', async () => {
    // 250 RetailRocket rows, every 10th a transaction; row 200 (line 202) lacks its id.
    const rows = Array.from({ length: 250 }, (_, i) => {
      const visitor = 900_000 + (i % 7);
      const kind = i % 10 === 9 ? 'transaction' : 'view';
      return `${1_433_221_332_117 + i * 1_000},${visitor},${kind},${5_000 + i},${kind === 'transaction' ? 70_000 + i : ''}`;
    });
    const header = 'timestamp,visitorid,event,itemid,transactionid';
    const bad = rows.map((row, i) => (i === 200 ? row.replace(',view,', ',transaction,') : row));
    const csv = join(interruptedEnv.dir, 'retailrocket-events.csv');
    writeFileSync(csv, `${[header, ...bad].join('\n')}\n`);
    const jsm = await jetstreamManager(interrupted.nc);
    const stored = async () => (await jsm.streams.info(STREAMS.raw)).state.messages;
    const before = await stored();
    const stateDir = join(interruptedEnv.dir, 'rr-state');
    const args = ['import', csv, '--format', 'retailrocket', '--nats-url', interruptedEnv.nats.url];
    const run = () => spawnCli([...args, '--state-dir', stateDir, '--batch-size', '20', '--json']);

    const failed = run();
    expect(await failed.exited).toBe(1);
    expect(failed.stderr()).toMatch(/retailrocket-events\.csv:202: 'transactionid' must be digits/);
    expect(readCheckpoint(stateDir).acknowledged).toBe(200);
    expect(await stored()).toBe(before + 200);

    writeFileSync(csv, `${[header, ...rows].join('\n')}\n`);
    const fixed = run();
    expect(await fixed.exited, fixed.stderr()).toBe(0);
    expect(JSON.parse(fixed.stdout())).toMatchObject({ calls: 250, accepted: 50, duplicates: 200 });
    expect(await stored()).toBe(before + 250);

    await interrupted.caughtUp();
    for (let visitor = 900_000; visitor < 900_007; visitor += 1) {
      let orders = 0;
      for (let i = 0; i < 250; i += 1)
        if (i % 10 === 9 && 900_000 + (i % 7) === visitor) orders += 1;
      const profile = await profileOf(interrupted, 'anonymous_id', String(visitor));
      expect(featureNumber(profile!, 'orders_lifetime') ?? 0, String(visitor)).toBe(orders);
    }
  });
});

function readCheckpoint(stateDir: string): { acknowledged: number; path: string } {
  const [name] = readdirSync(stateDir).filter((f) => f.endsWith('.json'));
  const path = join(stateDir, name!);
  return { ...(JSON.parse(readFileSync(path, 'utf8')) as { acknowledged: number }), path };
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '@pulse/nats';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { spawnCli } from '../harness/cli-process.js';
import { RETAIL_DEFINITIONS, sendCalls, useStack } from '../harness/stack.js';

const AT = new Date(Date.now() - 60 * 60 * 1_000).toISOString(); // an hour ago
const COUNTRIES = { 'cli-1': 'United Kingdom', 'cli-2': 'United Kingdom', 'cli-3': 'France' };

describe('the pulse CLI against running services', () => {
  const fixture = useStack();

  /** Runs `pulse <args>` and returns its exit code and output. */
  async function pulse(args: string[]) {
    const run = spawnCli(args);
    const code = await run.exited;
    return { code, stdout: run.stdout(), stderr: run.stderr() };
  }

  const engine = () => ['--engine', `127.0.0.1:${fixture.stack.engine.grpcPort}`];

  async function loadCustomers(): Promise<void> {
    const calls = Object.entries(COUNTRIES).flatMap(([userId, country]) => [
      { type: 'identify', userId, traits: { country }, timestamp: AT, messageId: `id-${userId}` },
      {
        type: 'track',
        userId,
        event: 'Order Completed',
        timestamp: AT,
        messageId: `o-${userId}`,
        properties: { order_id: `o-${userId}`, revenue: 20 },
      },
    ]);
    expect((await sendCalls(fixture.stack.nc, calls)).accepted).toBe(6);
    await fixture.stack.caughtUp();
  }

  it('reports streams, consumer lag, profiles and audience sizes with status --json', async () => {
    await loadCustomers();
    const metrics = `http://127.0.0.1:${fixture.stack.engine.opsPort}/metrics`;
    const natsUrl = fixture.env.nats.url;
    const args = ['status', '--json', '--nats-url', natsUrl, ...engine()];
    const { code, stdout, stderr } = await pulse([...args, '--engine-metrics', metrics]);

    expect(code, stderr).toBe(0);
    const status = JSON.parse(stdout);
    expect(status.errors).toEqual([]);
    const raw = status.streams.find((s: { name: string }) => s.name === 'PULSE_RAW');
    expect(raw.messages).toBe(6); // 3 identify + 3 orders
    expect(status.consumers).toContainEqual({
      stream: 'PULSE_RAW',
      name: 'pulse-engine',
      pending: 0,
      ackPending: 0,
    });
    expect(status.profiles).toBe(3);
    const sizes = Object.fromEntries(
      status.audiences.map((a: { audienceId: string; size: number }) => [a.audienceId, a.size]),
    );
    expect(sizes).toMatchObject({ uk: 2, international: 1 });
  });

  it('prints a profile, a decision and the audiences as JSON', async () => {
    const profile = await pulse(['profile', 'user_id', 'cli-3', '--json', ...engine()]);
    expect(profile.code, profile.stderr).toBe(0);
    expect(JSON.parse(profile.stdout)).toMatchObject({ traits: { country: 'France' } });

    const decision = await pulse(['decide', 'homepage', 'user_id', 'cli-1', '--json', ...engine()]);
    expect(decision.code, decision.stderr).toBe(0);
    expect(JSON.parse(decision.stdout).decisionId).toMatch(/\S/);

    const audiences = await pulse(['audiences', '--json', ...engine()]);
    const uk = JSON.parse(audiences.stdout).audiences.find(
      (a: { audienceId: string }) => a.audienceId === 'uk',
    );
    expect(uk.size).toBe('2'); // uint64 is a string in protobuf JSON
  });

  it('explains a decision in text: every offer of the placement with its verdict', async () => {
    const catalogue = parse(readFileSync(join(RETAIL_DEFINITIONS, 'offers.yaml'), 'utf8')) as {
      offers: { id: string; placements: string[] }[];
    };
    const homepage = catalogue.offers.filter((o) => o.placements.includes('homepage'));
    const out = await pulse(['decide', 'homepage', 'user_id', 'cli-1', '--explain', ...engine()]);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toContain(`every offer considered (${homepage.length}):`);
    const verdictLines = out.stdout.split('\n').filter((line) => /^ {4}\S+ {2,}[a-z]/.test(line));
    expect(verdictLines.map((line) => line.trim().split(/\s+/)[0]).sort()).toEqual(
      homepage.map((o) => o.id).sort(),
    );
    expect(out.stdout).toMatch(/ chosen /);
  });

  it('exits 1 on a failure and 2 on a usage error', async () => {
    expect((await pulse(['profile', 'user_id', 'nobody', ...engine()])).code).toBe(1);
    expect((await pulse(['decide', 'homepage'])).code).toBe(2);
    expect((await pulse(['import', 'x.csv', '--format', 'nope'])).code).toBe(2);
    expect((await pulse(['profile', '--help'])).code).toBe(0);
  });

  it('says which flag to set when no engine listens at the address', async () => {
    const port = await freePort();
    const out = await pulse(['profile', 'user_id', '17850', '--engine', `127.0.0.1:${port}`]);
    expect(out.code).toBe(1);
    expect(out.stderr.trim()).toBe(
      `pulse: cannot reach the engine (connect ECONNREFUSED 127.0.0.1:${port}): is it running? ` +
        'Pass --engine host:port when it listens elsewhere',
    );
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setup } from '../harness/index.js';
import type { TestEnv } from '../harness/index.js';
import { spawnEngine } from '../harness/engine-process.js';
import { startTcpProxy } from '../harness/tcp-proxy.js';
import type { TcpProxy } from '../harness/tcp-proxy.js';

const GRACE_MS = 300;

describe('engine shutdown deadline', () => {
  let env: TestEnv;
  let natsPath: TcpProxy;

  beforeEach(async () => {
    env = await setup();
    natsPath = await startTcpProxy(env.nats.port);
  });

  afterEach(async () => {
    await natsPath.close();
    await env.cleanup();
  });

  it('exits 1 with a fatal line when NATS stops answering during the drain', async () => {
    const engine = await spawnEngine(env, {
      NATS_URL: `nats://127.0.0.1:${natsPath.port}`,
      PULSE_SHUTDOWN_GRACE_MS: String(GRACE_MS),
    });
    // The NATS server is up but unreachable: the drain's flush never gets its answer.
    natsPath.blackhole();
    const started = performance.now();
    engine.child.kill('SIGTERM');

    expect(await engine.exited).toBe(1);
    const elapsedMs = performance.now() - started;
    // Twice the grace plus one second, and the process's own exit.
    expect(elapsedMs).toBeGreaterThanOrEqual(2 * GRACE_MS + 1_000);
    expect(elapsedMs).toBeLessThan(2 * GRACE_MS + 1_000 + 2_000);
    expect(engine.output()).toContain('"shutdown did not finish in time; exiting"');
  });

  it('exits 0 well within the deadline when nothing hangs', async () => {
    const engine = await spawnEngine(env, { PULSE_SHUTDOWN_GRACE_MS: String(GRACE_MS) });
    engine.child.kill('SIGTERM');

    // Exit 0 means the stop finished before the deadline's exit 1.
    expect(await engine.exited).toBe(0);
    expect(engine.output()).not.toContain('shutdown did not finish in time');
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { STREAMS } from '@pulse/nats';
import { setup } from '../harness/index.js';
import type { TestEnv } from '../harness/index.js';
import { spawnEngine } from '../harness/engine-process.js';
import { startStack } from '../harness/stack.js';

describe('engine lifecycle', () => {
  let env: TestEnv;

  beforeEach(async () => {
    env = await setup();
  });

  afterEach(async () => {
    await env.cleanup();
  });

  it('stops with an error when its consumer is deleted under it', async () => {
    const stack = await startStack(env);
    const jsm = await jetstreamManager(stack.nc);
    await jsm.consumers.delete(STREAMS.raw, 'pulse-engine');
    const exit = await stack.engine.stopped;
    expect(String(exit.error)).toContain('pulse-engine was deleted');
    await stack.stop();
  });

  it('exits 1 after a fatal error and 0 after SIGTERM', async () => {
    const engine = await spawnEngine(env);
    const nc = await connect({ servers: env.nats.url });
    await (await jetstreamManager(nc)).consumers.delete(STREAMS.raw, 'pulse-engine');
    expect(await engine.exited).toBe(1);
    await nc.close();

    const again = await spawnEngine(env);
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
  });
});

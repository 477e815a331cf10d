/**
 * Engine processes for the partition break tests: start one with its own
 * data folder and consumer, read its metrics, wait for ownership to settle
 * and for every engine to apply the whole raw stream.
 */
import { join } from 'node:path';
import { status as Status } from '@grpc/grpc-js';
import type { ServiceError } from '@grpc/grpc-js';
import { publishCalls } from '@pulse/client';
import type { SegmentCall } from '@pulse/events';
import { createClient } from '@pulse/grpc';
import { STREAMS, freePort } from '@pulse/nats';
import { AudienceService, DecisionService, ProfileService } from '@pulse/proto';
import type { Profile } from '@pulse/proto';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { waitFor } from '../harness/index.js';
import type { TestEnv } from '../harness/index.js';
import { spawnEngine } from '../harness/engine-process.js';
import type { EngineProcess } from '../harness/engine-process.js';

type Client<S extends Parameters<typeof createClient>[0]> = ReturnType<typeof createClient<S>>;

/** One engine process with its clients. */
export interface EngineNode {
  name: string;
  handle: EngineProcess;
  metricsPort: number;
  profiles: Client<typeof ProfileService>;
  audiences: Client<typeof AudienceService>;
  decisions: Client<typeof DecisionService>;
}

/** Starts engine `name` (data folder and consumer named after it). */
export async function startNode(
  env: TestEnv,
  name: string,
  extra: Record<string, string>,
  dataName = name,
): Promise<EngineNode> {
  const metricsPort = await freePort();
  const handle = await spawnEngine(env, {
    PULSE_DATA_DIR: join(env.dir, dataName),
    PULSE_CONSUMER_NAME: name,
    PULSE_METRICS_PORT: String(metricsPort),
    ...extra,
  });
  const address = `127.0.0.1:${handle.grpcPort}`;
  const options = { deadlineMs: 10_000 };
  return {
    name,
    handle,
    metricsPort,
    profiles: createClient(ProfileService, address, options),
    audiences: createClient(AudienceService, address, options),
    decisions: createClient(DecisionService, address, options),
  };
}

/** Closes the clients and SIGKILLs the process if it still runs. */
export async function stopNode(node: EngineNode): Promise<void> {
  node.profiles.close();
  node.audiences.close();
  node.decisions.close();
  if (node.handle.child.exitCode === null && node.handle.child.signalCode === null) {
    node.handle.child.kill('SIGKILL');
    await node.handle.exited;
  }
}

export async function metric(node: EngineNode, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${node.metricsPort}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
}

export async function owned(list: readonly EngineNode[]): Promise<number[]> {
  return Promise.all(list.map((n) => metric(n, 'pulse_engine_partitions_owned')));
}

/** Waits until every engine applied the raw stream's last sequence. */
export async function caughtUp(nc: NatsConnection, list: readonly EngineNode[]): Promise<void> {
  const jsm = await jetstreamManager(nc);
  await waitFor(async () => {
    const last = (await jsm.streams.info(STREAMS.raw)).state.last_seq;
    const applied = await Promise.all(list.map((n) => metric(n, 'pulse_engine_applied_sequence')));
    return applied.every((seq) => seq >= last) ? true : undefined;
  }, 90_000);
}

/** Waits until `list` together serves every partition, each some, unchanged for a lease. */
export async function settled(
  list: readonly EngineNode[],
  partitions: number,
  leaseMs: number,
): Promise<number[]> {
  let previous = '';
  return waitFor(
    async () => {
      const counts = await owned(list);
      const total = counts.reduce((a, b) => a + b, 0);
      const now = JSON.stringify(counts);
      const ok = total === partitions && counts.every((c) => c > 0) && now === previous;
      previous = now;
      return ok ? counts : undefined;
    },
    90_000,
    leaseMs,
  );
}

/** Publishes Segment calls through the NATS intake; all must be accepted. */
export async function publish(nc: NatsConnection, calls: SegmentCall[], source: string) {
  const totals = await publishCalls(
    (async function* () {
      yield* calls;
    })(),
    { nc, source },
  );
  if (totals.accepted !== calls.length) {
    throw new Error(`accepted ${totals.accepted} of ${calls.length}`);
  }
}

/** The call again after UNAVAILABLE (a partition between owners), as a client should. */
export async function retried<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (err) {
      if ((err as ServiceError).code !== Status.UNAVAILABLE || attempt >= 40) throw err;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** A numeric feature of a profile, 0 when unset. */
export function featureValue(profile: Profile, id: string): number {
  const feature = profile.features.find((f) => f.featureId === id);
  return feature?.value.case === 'number' ? feature.value.value : 0;
}

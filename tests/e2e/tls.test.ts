import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials, status as Status } from '@grpc/grpc-js';
import type { ServiceError } from '@grpc/grpc-js';
import { resolveCollectorConfig, startCollector } from '@pulse/collector';
import type { Collector } from '@pulse/collector';
import { resolveEngineConfig, startEngine } from '@pulse/engine';
import type { Engine } from '@pulse/engine';
import { clientTlsCredentials, createClient } from '@pulse/grpc';
import type { ClientOptions } from '@pulse/grpc';
import { silentLogger } from '@pulse/logging';
import { connectNats, startLocalNatsServer } from '@pulse/nats';
import type { LocalNatsServer } from '@pulse/nats';
import { AudienceService, DiagnosticsService } from '@pulse/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setup } from '../harness/index.js';
import type { TestEnv } from '../harness/index.js';
import { engineEnv } from '../harness/stack.js';
import { makeTestCertificates } from '../harness/tls-files.js';
import type { TestCertificates } from '../harness/tls-files.js';

async function codeOf(call: Promise<unknown>): Promise<Status> {
  try {
    await call;
    return Status.OK;
  } catch (err) {
    return (err as ServiceError).code;
  }
}

describe('TLS on gRPC', () => {
  let env: TestEnv;
  let certs: TestCertificates;
  let engine: Engine;
  let collector: Collector;

  beforeAll(async () => {
    env = await setup();
    certs = makeTestCertificates(join(env.dir, 'tls'));
    const serverTls = {
      PULSE_TLS_CERT_FILE: certs.serverCertFile,
      PULSE_TLS_KEY_FILE: certs.serverKeyFile,
    };
    engine = await startEngine(resolveEngineConfig(engineEnv(env, serverTls)), silentLogger());
    const collectorEnv = {
      NATS_URL: env.nats.url,
      PULSE_COLLECTOR_GRPC_PORT: '0',
      PULSE_COLLECTOR_METRICS_PORT: '0',
      ...serverTls,
      PULSE_TLS_CA_FILE: certs.caFile,
    };
    collector = await startCollector(resolveCollectorConfig(collectorEnv), silentLogger());
  });

  afterAll(async () => {
    await collector?.stop();
    await engine?.stop();
    await env?.cleanup();
  });

  function listAudiences(options: ClientOptions) {
    const client = createClient(AudienceService, `localhost:${engine.grpcPort}`, {
      deadlineMs: 5_000,
      ...options,
    });
    return client.listAudiences({}).finally(() => client.close());
  }

  function ping(options: ClientOptions) {
    const client = createClient(DiagnosticsService, `localhost:${collector.grpcPort}`, {
      deadlineMs: 5_000,
      ...options,
    });
    return client.ping({ payload: new Uint8Array([1, 2, 3]) }).finally(() => client.close());
  }

  it('answers a client that trusts the CA', async () => {
    const response = await listAudiences({
      credentials: clientTlsCredentials({ caFile: certs.caFile }),
    });
    expect(response.audiences.length).toBeGreaterThan(0);
  });

  it('fails a client that trusts another CA', async () => {
    const tls = clientTlsCredentials({ caFile: certs.otherCaFile });
    expect(await codeOf(listAudiences({ credentials: tls }))).toBe(Status.UNAVAILABLE);
  });

  it('fails a plaintext client', async () => {
    const plain = credentials.createInsecure();
    expect(await codeOf(listAudiences({ credentials: plain }))).toBe(Status.UNAVAILABLE);
  });

  it('requires a client certificate when a client CA is set (mTLS)', async () => {
    const withoutCert = clientTlsCredentials({ caFile: certs.caFile });
    const withCert = clientTlsCredentials({
      caFile: certs.caFile,
      certFile: certs.clientCertFile,
      keyFile: certs.clientKeyFile,
    });

    expect(await codeOf(ping({ credentials: withoutCert }))).toBe(Status.UNAVAILABLE);
    expect(Array.from((await ping({ credentials: withCert })).payload)).toEqual([1, 2, 3]);
  });
});

describe('TLS to NATS', () => {
  let dir: string;
  let certs: TestCertificates;
  let nats: LocalNatsServer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pulse-nats-tls-'));
    certs = makeTestCertificates(join(dir, 'tls'));
    nats = await startLocalNatsServer({
      storeDir: join(dir, 'jetstream'),
      extraArgs: ['--tls', '--tlscert', certs.serverCertFile, '--tlskey', certs.serverKeyFile],
    });
  });

  afterAll(async () => {
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('connects a service that trusts the CA', async () => {
    const nc = await connectNats({
      servers: nats.url,
      name: 'tls-test',
      logger: silentLogger(),
      security: { tls: { caFile: certs.caFile } },
    });
    expect(nc.info?.tls_required).toBe(true);
    await nc.close();
  });

  it('refuses a server certificate from another CA', async () => {
    const connecting = connectNats({
      servers: nats.url,
      name: 'tls-test',
      logger: silentLogger(),
      security: { tls: { caFile: certs.otherCaFile } },
    });
    await expect(connecting).rejects.toThrow();
  });

  it('runs a collector over it with NATS_TLS_CA_FILE', async () => {
    const config = resolveCollectorConfig({
      NATS_URL: nats.url,
      NATS_TLS_CA_FILE: certs.caFile,
      PULSE_COLLECTOR_GRPC_PORT: '0',
      PULSE_COLLECTOR_METRICS_PORT: '0',
    });
    const collector = await startCollector(config, silentLogger());
    expect(collector.grpcPort).toBeGreaterThan(0);
    await collector.stop();
  });
});

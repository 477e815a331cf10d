import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { load } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import type { Server } from '@grpc/grpc-js';
import { protoPath as healthProtoPath } from 'grpc-health-check';

/** Where the `.proto` sources are read from for reflection. */
export interface ReflectionOptions {
  /** Include root, e.g. the repository's `proto/` (`PULSE_PROTO_DIR`). */
  protoDir: string;
  /** Files relative to `protoDir`, e.g. `['pulse/v1/diagnostics.proto']`. */
  files: string[];
}

/** The repository's `proto/` folder, found from this file in `libs/grpc/src`. */
export const PULSE_PROTO_DIR = fileURLToPath(new URL('../../../proto/', import.meta.url));

/** grpc-health-check ships `<root>/health/v1/health.proto`. */
const HEALTH_PROTO_ROOT = dirname(dirname(dirname(healthProtoPath)));

const HEALTH_SERVICE_NAME = 'grpc.health.v1.Health';

/**
 * Adds reflection (v1 and v1alpha) to `server`, listing only the services it
 * actually serves plus health, so `grpcurl list` matches what answers.
 */
export async function addReflection(
  server: Server,
  options: ReflectionOptions,
  serviceNames: readonly string[],
): Promise<void> {
  const files = [...options.files, join('health', 'v1', 'health.proto')];
  const definition = await load(files, {
    includeDirs: [options.protoDir, HEALTH_PROTO_ROOT],
    keepCase: true,
  });
  const services = [...serviceNames, HEALTH_SERVICE_NAME];
  new ReflectionService(definition, { services }).addToServer(server);
}

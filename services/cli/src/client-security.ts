import type { DescService } from '@bufbuild/protobuf';
import { clientTlsCredentials, createClient as createGrpcClient } from '@pulse/grpc';
import type { ClientOptions, ServiceClient } from '@pulse/grpc';
import { natsSecurityFromEnv, securityOptions } from '@pulse/nats';
import type { ConnectionOptions } from '@nats-io/transport-node';

/** The global `--api-key` and `--tls-ca` options (or PULSE_API_KEY, PULSE_CLIENT_TLS_CA_FILE). */
export interface ClientSecurityOptions {
  apiKey?: string;
  tlsCa?: string;
}

/** Set once from the global options before a command runs. */
let defaults: Pick<ClientOptions, 'apiKey' | 'credentials'> = {};

/** Takes the global options: every gRPC client made after this sends the key over TLS if asked. */
export function setClientSecurity(options: ClientSecurityOptions): void {
  const apiKey = options.apiKey?.trim() || undefined;
  const caFile = options.tlsCa?.trim() || undefined;
  defaults = {
    ...(apiKey ? { apiKey } : {}),
    ...(caFile ? { credentials: clientTlsCredentials({ caFile }) } : {}),
  };
}

/** `createClient` of @pulse/grpc with the CLI's API key and TLS settings. */
export function createClient<S extends DescService>(
  service: S,
  address: string,
  options: ClientOptions = {},
): ServiceClient<S> {
  return createGrpcClient(service, address, { ...defaults, ...options });
}

/** NATS connection options from NATS_CREDS_FILE and NATS_TLS_* in the environment. */
export function natsConnectOptions(
  env: NodeJS.ProcessEnv = process.env,
): Partial<ConnectionOptions> {
  return securityOptions(
    natsSecurityFromEnv({
      NATS_CREDS_FILE: env.NATS_CREDS_FILE ?? '',
      NATS_TLS_CA_FILE: env.NATS_TLS_CA_FILE ?? '',
      NATS_TLS_CERT_FILE: env.NATS_TLS_CERT_FILE ?? '',
      NATS_TLS_KEY_FILE: env.NATS_TLS_KEY_FILE ?? '',
    }),
  );
}

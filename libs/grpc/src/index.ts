/**
 * gRPC scaffolding for Pulse: serves and calls protobuf-es v2 services over
 * grpc-js, with one error-to-status mapping, health and reflection.
 */

/** grpc-js ServiceDefinition of a protobuf-es service, and a method's path. */
export { serviceDefinition, methodPath } from './service-definition.js';

/** Options for `serviceDefinition`: per-method response encoders. */
export type { ServiceDefinitionOptions } from './service-definition.js';

/** A hand-written response encoder, and a service's table of them by method. */
export type { ResponseSerializer, ResponseSerializers } from './response-serializers.js';

/** Handlers are plain async functions (unary) or async iterables (streams). */
export type {
  CallContext,
  MethodHandler,
  ServerStreamingHandler,
  ServiceHandlers,
  UnaryHandler,
} from './service-handlers.js';

/** Wraps typed handlers as a grpc-js implementation for `server.addService`. */
export { bindService } from './bind-service.js';

/** Options for `bindService`, and its result: definition plus implementation. */
export type { BindServiceOptions, BoundService } from './bind-service.js';

/** Binds a server with health, optional reflection and graceful shutdown. */
export { createGrpcServer, DEFAULT_SHUTDOWN_GRACE_MS } from './grpc-server.js';

/** Server options, the running server handle and its health switch. */
export type { GrpcServer, GrpcServerOptions, HealthControl } from './grpc-server.js';

/** Where reflection reads `.proto` files; the repository's `proto/` folder. */
export { PULSE_PROTO_DIR } from './server-reflection.js';

/** Proto include root and files for server reflection. */
export type { ReflectionOptions } from './server-reflection.js';

/** Opens a typed client for a protobuf-es service; every call gets a deadline. */
export { createClient, DEFAULT_DEADLINE_MS, DEFAULT_STREAM_DEADLINE_MS } from './service-client.js';

/** Client options and the typed method shapes a client exposes. */
export type {
  CallOptions,
  ClientMethod,
  ClientOptions,
  ServerStreamingMethod,
  ServiceClient,
  UnaryMethod,
} from './service-client.js';

/** Default max message size for servers and clients: 4 MiB. */
export { DEFAULT_MAX_MESSAGE_BYTES } from './channel-options.js';

/** The `x-request-id` metadata key and the check applied to a caller's id. */
export { REQUEST_ID_METADATA_KEY, requestIdOf } from './request-id.js';

/** Domain errors that handlers throw; each maps to one gRPC status code. */
export {
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
  StatusError,
  UnavailableError,
} from './errors.js';

/** Guards; `isFieldError` also accepts other libs' validation errors. */
export {
  FIELD_ERROR_NAMES,
  isFailedPreconditionError,
  isFieldError,
  isInvalidArgumentError,
  isNotFoundError,
  isUnavailableError,
} from './errors.js';

/** An error that names the input field at fault. */
export type { FieldError } from './errors.js';

/** Thrown error to gRPC status, and the `pulse-field` trailer key. */
export { FIELD_METADATA_KEY, toErrorStatus } from './error-status.js';

/** Scopes, the parsed keys file and key helpers (hash, generate). */
export {
  ApiKeyRing,
  SCOPES,
  generateApiKey,
  hashApiKey,
  loadApiKeys,
  parseApiKeys,
} from './auth/api-keys.js';

/** A key as held in memory (id, scopes, source) and a scope name. */
export type { ApiKey, Scope } from './auth/api-keys.js';

/** Checks API keys and scopes on every bound call; counts refusals. */
export { API_KEY_METADATA, createAccessControl, presentedKey } from './auth/access-control.js';

/** The access control, its options, verdicts and a service's method-to-scope table. */
export type {
  AccessControl,
  AccessControlOptions,
  AccessVerdict,
  MethodScopes,
} from './auth/access-control.js';

/** TLS credentials for servers (optionally requiring client certificates) and clients. */
export {
  clientTlsCredentials,
  serverTlsCredentials,
  serverTlsFromEnv,
} from './auth/tls-credentials.js';

/** PEM file paths of a TLS server or client, and the PULSE_TLS_* variables. */
export type { ClientTlsFiles, ServerTlsEnv, ServerTlsFiles } from './auth/tls-credentials.js';

/** A keys file or TLS file that cannot be used. */
export { ApiKeysFileError, TlsFileError, isApiKeysFileError } from './auth/errors.js';

import type { DescMessage, DescService, MessageInitShape, MessageShape } from '@bufbuild/protobuf';
import type { Metadata } from '@grpc/grpc-js';
import type { Logger } from 'pino';

import type { ApiKey } from './auth/api-keys.js';

/** What a handler may know about the call it serves, besides the request. */
export interface CallContext {
  /** When the client stops waiting; `undefined` when it set no deadline. */
  readonly deadline: Date | undefined;
  /** Request metadata as the client sent it. */
  readonly metadata: Metadata;
  /** Aborted on client cancel or deadline; pass it on to slow work. */
  readonly signal: AbortSignal;
  /** Remote address, e.g. `ipv4:127.0.0.1:51234`. */
  readonly peer: string;
  /** The API key the call was admitted with; undefined when access control is off. */
  readonly apiKey: ApiKey | undefined;
  /** The caller's `x-request-id` when usable, else a generated UUID; sent back in headers. */
  readonly requestId: string;
  /** The service's logger with `requestId` bound; use it for the call's log lines. */
  readonly logger: Logger;
}

/** Answers one unary call. May return a full message or an init object. */
export type UnaryHandler<I extends DescMessage, O extends DescMessage> = (
  request: MessageShape<I>,
  call: CallContext,
) => Promise<MessageInitShape<O>>;

/**
 * Answers one server-streaming call by yielding responses. The generator is
 * returned early (its `finally` runs) when the client cancels.
 */
export type ServerStreamingHandler<I extends DescMessage, O extends DescMessage> = (
  request: MessageShape<I>,
  call: CallContext,
) => AsyncIterable<MessageInitShape<O>>;

/** The handler for one method descriptor; `never` for unsupported kinds. */
export type MethodHandler<M> = M extends {
  methodKind: 'unary';
  input: infer I extends DescMessage;
  output: infer O extends DescMessage;
}
  ? UnaryHandler<I, O>
  : M extends {
        methodKind: 'server_streaming';
        input: infer I extends DescMessage;
        output: infer O extends DescMessage;
      }
    ? ServerStreamingHandler<I, O>
    : never;

/**
 * The implementation of a generated service, keyed by method local name:
 * `ServiceHandlers<typeof DiagnosticsService>` is `{ ping: UnaryHandler<...> }`.
 */
export type ServiceHandlers<S extends DescService> = {
  [K in keyof S['method']]: MethodHandler<S['method'][K]>;
};

import type {
  DescMessage,
  DescMethod,
  DescService,
  MessageInitShape,
  MessageShape,
} from '@bufbuild/protobuf';
import { Client, Metadata, credentials as channelCredentials } from '@grpc/grpc-js';
import type {
  CallOptions as GrpcCallOptions,
  ChannelCredentials,
  ChannelOptions,
} from '@grpc/grpc-js';

import { DEFAULT_MAX_MESSAGE_BYTES, clientChannelOptions } from './channel-options.js';
import { messageCodec, methodPath } from './service-definition.js';

/** Per-call options for a client method. */
export interface CallOptions {
  /** Give up this many milliseconds from now; overrides the client default. */
  deadlineMs?: number;
  /** Request metadata sent with the call. */
  metadata?: Metadata;
}

/** Options for `createClient`. */
export interface ClientOptions {
  /** @default insecure (plaintext h2c); see `clientTlsCredentials` for TLS */
  credentials?: ChannelCredentials;
  /** API key sent as `authorization: Bearer <key>` on every call. @default none */
  apiKey?: string;
  /** Deadline for calls that set none, in milliseconds. @default none */
  deadlineMs?: number;
  /** Largest message sent or received, in bytes. @default 4 MiB */
  maxMessageBytes?: number;
  /** Extra grpc-js channel options, applied over ours. */
  channelOptions?: ChannelOptions;
}

/** A unary method; rejects with the grpc-js ServiceError of a failed call. */
export type UnaryMethod<I extends DescMessage, O extends DescMessage> = (
  request: MessageInitShape<I>,
  options?: CallOptions,
) => Promise<MessageShape<O>>;

/**
 * A server-streaming method. The call starts on first iteration; leaving the
 * loop early cancels it; a failed call throws a ServiceError from the loop.
 */
export type ServerStreamingMethod<I extends DescMessage, O extends DescMessage> = (
  request: MessageInitShape<I>,
  options?: CallOptions,
) => AsyncIterable<MessageShape<O>>;

/** The client method for one method descriptor; `never` for unsupported kinds. */
export type ClientMethod<M> = M extends {
  methodKind: 'unary';
  input: infer I extends DescMessage;
  output: infer O extends DescMessage;
}
  ? UnaryMethod<I, O>
  : M extends {
        methodKind: 'server_streaming';
        input: infer I extends DescMessage;
        output: infer O extends DescMessage;
      }
    ? ServerStreamingMethod<I, O>
    : never;

/** A typed client: one method per RPC, keyed by local name, plus `close()`. */
export type ServiceClient<S extends DescService> = {
  [K in keyof S['method']]: ClientMethod<S['method'][K]>;
} & {
  /** Closes the channel; calls in flight fail with CANCELLED or UNAVAILABLE. */
  close(): void;
};

/**
 * Opens a channel to `address` (`host:port`) and returns typed methods for
 * `service`. Requests may be init objects; they are `create`d on send.
 */
export function createClient<S extends DescService>(
  service: S,
  address: string,
  options: ClientOptions = {},
): ServiceClient<S> {
  const maxBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const client = new Client(address, options.credentials ?? channelCredentials.createInsecure(), {
    ...clientChannelOptions(maxBytes),
    ...options.channelOptions,
  });
  const methods: Record<string, unknown> = { close: () => client.close() };
  const defaults = { deadlineMs: options.deadlineMs, apiKey: options.apiKey };
  for (const method of service.methods) {
    methods[method.localName] = clientMethod(client, method, defaults);
  }
  return methods as ServiceClient<S>;
}

type AnyUnary = UnaryMethod<DescMessage, DescMessage>;
type AnyStreaming = ServerStreamingMethod<DescMessage, DescMessage>;

/** What every call of a client carries unless its options say otherwise. */
interface CallDefaults {
  deadlineMs: number | undefined;
  apiKey: string | undefined;
}

function clientMethod(client: Client, method: DescMethod, defaults: CallDefaults) {
  switch (method.methodKind) {
    case 'unary':
      return unaryMethod(client, method, defaults);
    case 'server_streaming':
      return serverStreamingMethod(client, method, defaults);
    default:
      // Left undefined: the ServiceClient type already makes these `never`.
      return undefined;
  }
}

function unaryMethod(client: Client, method: DescMethod, defaults: CallDefaults): AnyUnary {
  const path = methodPath(method);
  const request = messageCodec(method.input);
  const response = messageCodec(method.output);
  return (message, options = {}) =>
    new Promise((resolve, reject) => {
      client.makeUnaryRequest(
        path,
        request.serialize,
        response.deserialize,
        message,
        callMetadata(options, defaults),
        grpcCallOptions(options, defaults.deadlineMs),
        (err, value) => (err ? reject(err) : resolve(value as MessageShape<DescMessage>)),
      );
    });
}

function serverStreamingMethod(
  client: Client,
  method: DescMethod,
  defaults: CallDefaults,
): AnyStreaming {
  const path = methodPath(method);
  const request = messageCodec(method.input);
  const response = messageCodec(method.output);
  return async function* (message, options = {}) {
    const call = client.makeServerStreamRequest(
      path,
      request.serialize,
      response.deserialize,
      message,
      callMetadata(options, defaults),
      grpcCallOptions(options, defaults.deadlineMs),
    );
    // The loop below sees errors through the stream's iterator; this listener
    // only keeps the CANCELLED that follows an early exit from going unhandled.
    call.on('error', () => {});
    try {
      for await (const item of call) yield item as MessageShape<DescMessage>;
    } finally {
      call.cancel();
    }
  };
}

function grpcCallOptions(options: CallOptions, defaultDeadlineMs?: number): GrpcCallOptions {
  const deadlineMs = options.deadlineMs ?? defaultDeadlineMs;
  return deadlineMs === undefined ? {} : { deadline: Date.now() + deadlineMs };
}

/** The call's metadata with the client's API key, unless the call sets its own. */
function callMetadata(options: CallOptions, defaults: CallDefaults): Metadata {
  const metadata = options.metadata?.clone() ?? new Metadata();
  if (defaults.apiKey !== undefined && metadata.get('authorization').length === 0) {
    metadata.set('authorization', `Bearer ${defaults.apiKey}`);
  }
  return metadata;
}

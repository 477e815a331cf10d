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

/** Deadline of a unary call that sets none: Decide and Check answer in milliseconds. */
export const DEFAULT_DEADLINE_MS = 2_000;

/** Deadline of a server-streaming call that sets none: an export may run for minutes. */
export const DEFAULT_STREAM_DEADLINE_MS = 600_000;

/** Per-call options for a client method. */
export interface CallOptions {
  /**
   * Give up this many milliseconds from now; overrides the client default.
   * `Infinity` waits as long as the call takes.
   */
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
  /**
   * Deadline of unary calls that set none, in milliseconds; `Infinity` for none.
   * @default DEFAULT_DEADLINE_MS (2 s)
   */
  deadlineMs?: number;
  /**
   * Deadline of server-streaming calls that set none, in milliseconds.
   * @default DEFAULT_STREAM_DEADLINE_MS (10 min)
   */
  streamDeadlineMs?: number;
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
  const deadlines = {
    unary: options.deadlineMs ?? DEFAULT_DEADLINE_MS,
    stream: options.streamDeadlineMs ?? DEFAULT_STREAM_DEADLINE_MS,
  };
  const methods: Record<string, unknown> = { close: () => client.close() };
  for (const method of service.methods) {
    methods[method.localName] = clientMethod(client, method, deadlines, options.apiKey);
  }
  return methods as ServiceClient<S>;
}

type AnyUnary = UnaryMethod<DescMessage, DescMessage>;
type AnyStreaming = ServerStreamingMethod<DescMessage, DescMessage>;

function clientMethod(
  client: Client,
  method: DescMethod,
  deadlines: { unary: number; stream: number },
  apiKey: string | undefined,
) {
  switch (method.methodKind) {
    case 'unary':
      return unaryMethod(client, method, deadlines.unary, apiKey);
    case 'server_streaming':
      return serverStreamingMethod(client, method, deadlines.stream, apiKey);
    default:
      // Left undefined: the ServiceClient type already makes these `never`.
      return undefined;
  }
}

function unaryMethod(
  client: Client,
  method: DescMethod,
  defaultDeadlineMs: number,
  apiKey: string | undefined,
): AnyUnary {
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
        callMetadata(options, apiKey),
        grpcCallOptions(options, defaultDeadlineMs),
        (err, value) => (err ? reject(err) : resolve(value as MessageShape<DescMessage>)),
      );
    });
}

function serverStreamingMethod(
  client: Client,
  method: DescMethod,
  defaultDeadlineMs: number,
  apiKey: string | undefined,
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
      callMetadata(options, apiKey),
      grpcCallOptions(options, defaultDeadlineMs),
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

function grpcCallOptions(options: CallOptions, defaultDeadlineMs: number): GrpcCallOptions {
  const deadlineMs = options.deadlineMs ?? defaultDeadlineMs;
  return Number.isFinite(deadlineMs) ? { deadline: Date.now() + deadlineMs } : {};
}

/** The call's metadata with the client's API key, unless the call sets its own. */
function callMetadata(options: CallOptions, apiKey: string | undefined): Metadata {
  const metadata = options.metadata?.clone() ?? new Metadata();
  if (apiKey !== undefined && metadata.get('authorization').length === 0) {
    metadata.set('authorization', `Bearer ${apiKey}`);
  }
  return metadata;
}

import type { ChannelOptions } from '@grpc/grpc-js';

/** Largest message accepted by default, in bytes (gRPC's usual 4 MiB). */
export const DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/** Ping interval; a dead peer is noticed within this plus the timeout. */
const KEEPALIVE_TIME_MS = 30_000;

/** How long to wait for a ping ack before dropping the connection. */
const KEEPALIVE_TIMEOUT_MS = 10_000;

/** Reconnect quickly after a peer restart; grpc-js starts at 1 s. */
const INITIAL_RECONNECT_BACKOFF_MS = 100;

const MAX_RECONNECT_BACKOFF_MS = 5_000;

/**
 * Server channel options. Nagle needs no setting: Node's http2 sets
 * TCP_NODELAY on every session socket. Here we bound message sizes and ping
 * clients so that half-open connections are reaped. No ping policy is set
 * because grpc-js servers enforce none (they read neither
 * `grpc.http2.min_ping_interval_without_data_ms` nor a permit-without-calls
 * flag, and never answer pings with GOAWAY too_many_pings), so our clients'
 * 30 s pings, idle or not, are always accepted.
 */
export function serverChannelOptions(maxMessageBytes: number): ChannelOptions {
  return {
    'grpc.max_receive_message_length': maxMessageBytes,
    'grpc.max_send_message_length': maxMessageBytes,
    'grpc.keepalive_time_ms': KEEPALIVE_TIME_MS * 2,
    'grpc.keepalive_timeout_ms': KEEPALIVE_TIMEOUT_MS,
  };
}

/**
 * Client channel options. Keepalive pings run even without active calls, so
 * the first call after a quiet spell does not land on a dead connection; our
 * grpc-js servers do not enforce a ping policy. Peers that do (C-core) allow
 * one ping per 5 minutes by default: override for those.
 */
export function clientChannelOptions(maxMessageBytes: number): ChannelOptions {
  return {
    'grpc.max_receive_message_length': maxMessageBytes,
    'grpc.max_send_message_length': maxMessageBytes,
    'grpc.keepalive_time_ms': KEEPALIVE_TIME_MS,
    'grpc.keepalive_timeout_ms': KEEPALIVE_TIMEOUT_MS,
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.initial_reconnect_backoff_ms': INITIAL_RECONNECT_BACKOFF_MS,
    'grpc.max_reconnect_backoff_ms': MAX_RECONNECT_BACKOFF_MS,
  };
}

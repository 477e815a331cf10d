import type { ServerWritableStream } from '@grpc/grpc-js';

import type { ServerCallContext } from './call-context.js';

/**
 * Writes every message of `messages` to the call, waiting for 'drain' when
 * grpc-js buffers too much. Stops early, and so returns the generator (its
 * `finally` runs), once the call is cancelled. Does not end the call.
 */
export async function writeAll(
  call: ServerWritableStream<unknown, unknown>,
  messages: AsyncIterable<unknown>,
  context: ServerCallContext,
): Promise<void> {
  // Checked before writing (cancel may land while the generator runs) and
  // after draining (cancel also ends the wait), so no extra step is pulled.
  const stopped = (): boolean => context.cancelled || call.destroyed;
  for await (const message of messages) {
    if (stopped()) return;
    if (!call.write(message)) await drained(call);
    if (stopped()) return;
  }
}

/** Resolves on 'drain', or on 'close' since a destroyed stream never drains. */
function drained(call: ServerWritableStream<unknown, unknown>): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      call.off('drain', done);
      call.off('close', done);
      resolve();
    };
    call.on('drain', done);
    call.on('close', done);
  });
}

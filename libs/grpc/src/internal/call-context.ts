import type { Metadata, ServerUnaryCall, ServerWritableStream } from '@grpc/grpc-js';

import type { ApiKey } from '../auth/api-keys.js';
import type { CallContext } from '../service-handlers.js';

type ServerCall = ServerUnaryCall<unknown, unknown> | ServerWritableStream<unknown, unknown>;

/**
 * CallContext over a grpc-js server call. Everything is read lazily: most
 * unary handlers never touch the signal, so the AbortController is only
 * built on first access.
 */
export class ServerCallContext implements CallContext {
  readonly #call: ServerCall;

  /** Built on first `signal` access; aborted on cancel from then on. */
  #controller: AbortController | undefined;

  #cancelled = false;

  /** Set by the access check before the handler runs; undefined when auth is off. */
  apiKey: ApiKey | undefined;

  constructor(call: ServerCall) {
    this.#call = call;
    call.once('cancelled', () => {
      this.#cancelled = true;
      this.#controller?.abort();
    });
  }

  /** True once the client cancelled or the deadline passed. */
  get cancelled(): boolean {
    return this.#cancelled;
  }

  get deadline(): Date | undefined {
    const deadline = this.#call.getDeadline();
    if (deadline instanceof Date) return deadline;
    return Number.isFinite(deadline) ? new Date(deadline) : undefined;
  }

  get metadata(): Metadata {
    return this.#call.metadata;
  }

  get peer(): string {
    return this.#call.getPeer();
  }

  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#cancelled) this.#controller.abort();
    }
    return this.#controller.signal;
  }
}

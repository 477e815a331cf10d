import { randomUUID } from 'node:crypto';
import { Metadata } from '@grpc/grpc-js';
import type { ServerUnaryCall, ServerWritableStream } from '@grpc/grpc-js';
import type { Logger } from 'pino';

import type { ApiKey } from '../auth/api-keys.js';
import type { CallContext } from '../service-handlers.js';
import { REQUEST_ID_METADATA_KEY, requestIdOf } from '../request-id.js';

type ServerCall = ServerUnaryCall<unknown, unknown> | ServerWritableStream<unknown, unknown>;

/**
 * CallContext over a grpc-js server call. The request id is settled at
 * once and goes back in the response headers through `sendHeaders()`;
 * everything else is read lazily: most unary handlers never touch the
 * signal or the logger, so the AbortController and the child logger are
 * only built on first access.
 */
export class ServerCallContext implements CallContext {
  readonly #call: ServerCall;

  readonly #parentLogger: Logger;

  /** Built on first `logger` access, with `requestId` bound. */
  #logger: Logger | undefined;

  /** Built on first `signal` access; aborted on cancel from then on. */
  #controller: AbortController | undefined;

  #cancelled = false;

  #headersSent = false;

  readonly requestId: string;

  /** Set by the access check before the handler runs; undefined when auth is off. */
  apiKey: ApiKey | undefined;

  constructor(call: ServerCall, logger: Logger) {
    this.#call = call;
    this.#parentLogger = logger;
    this.requestId = requestIdOf(call.metadata.get(REQUEST_ID_METADATA_KEY)[0]) ?? randomUUID();
    call.once('cancelled', () => {
      this.#cancelled = true;
      this.#controller?.abort();
    });
  }

  /**
   * Sends the response headers with the request id. Unary calls send them
   * just before the answer, so both leave in one write; streams at start.
   */
  sendHeaders(): void {
    if (this.#headersSent) return;
    this.#headersSent = true;
    const headers = new Metadata();
    headers.set(REQUEST_ID_METADATA_KEY, this.requestId);
    this.#call.sendMetadata(headers);
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

  get logger(): Logger {
    this.#logger ??= this.#parentLogger.child({ requestId: this.requestId });
    return this.#logger;
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

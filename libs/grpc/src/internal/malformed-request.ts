/**
 * Stand-in for a request whose bytes did not decode. grpc-js answers a
 * throwing deserializer with INTERNAL, so the deserializer returns this
 * instead and the bound handler answers INVALID_ARGUMENT.
 */
export class MalformedRequest {
  constructor(
    /** Full name of the message the bytes should have held. */
    readonly typeName: string,
    /** The decoder's complaint; kept for debug logs, never sent. */
    readonly cause: unknown,
  ) {}
}

export function isMalformedRequest(value: unknown): value is MalformedRequest {
  return value instanceof MalformedRequest;
}

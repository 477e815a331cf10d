import { randomUUID } from 'node:crypto';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import type { DescMessage, DescMethod } from '@bufbuild/protobuf';
import { Metadata, status as Status } from '@grpc/grpc-js';
import { StatusError, toErrorStatus } from '@pulse/grpc';
import type { CallContext } from '@pulse/grpc';
import { errors, headers } from '@nats-io/transport-node';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Logger } from 'pino';

/** Longest a forwarded call waits when the caller set no deadline. */
export const DEFAULT_FORWARD_TIMEOUT_MS = 5_000;

const METHOD_HEADER = 'Pulse-Method';
const DEADLINE_HEADER = 'Pulse-Deadline-Ms';
const STATUS_HEADER = 'Pulse-Status';
const DETAILS_HEADER = 'Pulse-Details';
const FIELD_HEADER = 'Pulse-Field';
const REQUEST_ID_HEADER = 'Pulse-Request-Id';
const PARTITIONS_HEADER = 'Pulse-Partitions';

/** The subject an engine answers forwarded calls on. */
export function callSubject(engineId: string): string {
  return `pulse.engine.${engineId}.call`;
}

type LocalUnary = (request: unknown, call: CallContext) => Promise<unknown>;

/** A unary method this engine answers for others, with its local handler. */
export interface ForwardedMethod {
  method: DescMethod;
  handler: LocalUnary;
  /**
   * Encodes the handler's response as `toBinary` would, e.g. by hand.
   * @default the reflective `toBinary(output, create(output, response))`
   */
  serialize?: (response: unknown) => Uint8Array;
}

/**
 * Answers calls other engines forward for profiles this engine owns, with
 * the same local handlers the gRPC server uses, within the caller's
 * deadline. Errors travel as gRPC status code, message and field.
 */
export function serveForwardedCalls(
  nc: NatsConnection,
  engineId: string,
  methods: readonly ForwardedMethod[],
  logger: Logger,
  ownsPartitions: (partitions: readonly number[]) => boolean,
): Subscription {
  const log = logger.child({ component: 'forwarded-calls' });
  const byPath = new Map(methods.map((m) => [pathOf(m.method), m]));
  return nc.subscribe(callSubject(engineId), {
    callback: (err, msg) => {
      if (err) {
        log.warn({ err }, 'forwarded call subscription failed');
        return;
      }
      void answer(msg, byPath, log, ownsPartitions);
    },
  });
}

function serializeResponse(target: ForwardedMethod, response: unknown): Uint8Array {
  if (target.serialize) return target.serialize(response);
  const { output } = target.method;
  return toBinary(output, create(output, response as never));
}

async function answer(
  msg: Msg,
  byPath: Map<string, ForwardedMethod>,
  log: Logger,
  ownsPartitions: (partitions: readonly number[]) => boolean,
): Promise<void> {
  const path = msg.headers?.get(METHOD_HEADER) ?? '';
  const requestId = msg.headers?.get(REQUEST_ID_HEADER) || randomUUID();
  const target = byPath.get(path);
  const reply = headers();
  try {
    if (!target) throw new StatusError(Status.UNIMPLEMENTED, `no forwarded method ${path}`);
    // A caller that counts on this engine for some partitions must not get
    // an answer from one that gave them up since it last looked.
    const expected = msg.headers?.get(PARTITIONS_HEADER);
    if (expected && !ownsPartitions(expected.split(',').map(Number))) {
      throw new StatusError(Status.UNAVAILABLE, 'partitions are changing owner; retry shortly');
    }
    const deadlineMs = Number(msg.headers?.get(DEADLINE_HEADER) ?? '0');
    const remaining = deadlineMs > 0 ? deadlineMs - Date.now() : DEFAULT_FORWARD_TIMEOUT_MS;
    if (remaining <= 0) throw new StatusError(Status.DEADLINE_EXCEEDED, 'deadline exceeded');
    const request = fromBinary(target.method.input, msg.data);
    const call: CallContext = {
      deadline: deadlineMs > 0 ? new Date(deadlineMs) : undefined,
      metadata: new Metadata(),
      signal: AbortSignal.timeout(remaining),
      peer: 'nats',
      // The engine the client called checked its key; engines trust each other over NATS.
      apiKey: undefined,
      requestId,
      logger: log.child({ requestId }),
    };
    const response = await target.handler(request, call);
    msg.respond(serializeResponse(target, response));
  } catch (err) {
    const status = toErrorStatus(err, log, path);
    reply.set(STATUS_HEADER, String(status.code));
    reply.set(DETAILS_HEADER, status.details);
    const field = status.metadata.get('pulse-field')[0];
    if (field !== undefined) reply.set(FIELD_HEADER, String(field));
    msg.respond(new Uint8Array(), { headers: reply });
  }
}

/**
 * Asks the engine that owns a profile to answer `request`, within the
 * call's deadline (or DEFAULT_FORWARD_TIMEOUT_MS without one): its answer,
 * or a StatusError with its code, DEADLINE_EXCEEDED when it does not answer
 * in time, UNAVAILABLE when it is gone.
 */
export async function forwardCall<O extends DescMessage>(
  nc: NatsConnection,
  engineId: string,
  method: DescMethod & { output: O },
  request: unknown,
  call: Pick<CallContext, 'deadline' | 'requestId'>,
  /** The partitions the answer must cover, which the engine must still own. */
  partitions?: readonly number[],
): Promise<unknown> {
  const deadlineMs = call.deadline?.getTime() ?? Date.now() + DEFAULT_FORWARD_TIMEOUT_MS;
  const remaining = deadlineMs - Date.now();
  if (remaining <= 0) throw new StatusError(Status.DEADLINE_EXCEEDED, 'deadline exceeded');
  const h = headers();
  h.set(METHOD_HEADER, pathOf(method));
  h.set(DEADLINE_HEADER, String(deadlineMs));
  h.set(REQUEST_ID_HEADER, call.requestId);
  if (partitions && partitions.length > 0) h.set(PARTITIONS_HEADER, partitions.join(','));
  let reply: Msg;
  try {
    const data = toBinary(method.input, create(method.input, request as never));
    reply = await nc.request(callSubject(engineId), data, { timeout: remaining, headers: h });
  } catch (err) {
    const cause = err instanceof Error ? err.cause : undefined;
    if (err instanceof errors.NoRespondersError || cause instanceof errors.NoRespondersError) {
      throw new StatusError(
        Status.UNAVAILABLE,
        `engine ${engineId}, owner of the profile, is not reachable`,
      );
    }
    if (err instanceof errors.TimeoutError || cause instanceof errors.TimeoutError) {
      throw new StatusError(
        Status.DEADLINE_EXCEEDED,
        `engine ${engineId}, owner of the profile, did not answer within the deadline`,
      );
    }
    throw new StatusError(
      Status.UNAVAILABLE,
      `forwarding to engine ${engineId} failed`,
      undefined,
      {
        cause: err,
      },
    );
  }
  const code = reply.headers?.get(STATUS_HEADER);
  if (code) {
    const field = reply.headers?.get(FIELD_HEADER) || undefined;
    throw new StatusError(Number(code), reply.headers?.get(DETAILS_HEADER) ?? '', field);
  }
  return fromBinary(method.output, reply.data);
}

function pathOf(method: DescMethod): string {
  return `${method.parent.typeName}/${method.name}`;
}

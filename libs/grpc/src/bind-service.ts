import type { DescMethod, DescService } from '@bufbuild/protobuf';
import { status as Status } from '@grpc/grpc-js';
import type {
  ServiceDefinition,
  UntypedHandleCall,
  UntypedServiceImplementation,
  handleServerStreamingCall,
  handleUnaryCall,
} from '@grpc/grpc-js';
import type { Logger } from 'pino';

import type { AccessControl, MethodScopes } from './auth/access-control.js';
import type { Scope } from './auth/api-keys.js';
import { malformedRequestStatus, toErrorStatus } from './error-status.js';
import { ServerCallContext } from './internal/call-context.js';
import { isMalformedRequest } from './internal/malformed-request.js';
import { writeAll } from './internal/write-stream.js';
import type { ResponseSerializers } from './response-serializers.js';
import { methodPath, serviceDefinition } from './service-definition.js';
import type { CallContext, ServiceHandlers } from './service-handlers.js';

/** Options for `bindService`. */
export interface BindServiceOptions<S extends DescService = DescService> {
  /** Parent logger; the lib logs through a `component: 'grpc'` child. */
  logger: Logger;
  /**
   * API key checks: the server's access control and the scopes each method
   * accepts. Every call is checked before its request is handled; calls are
   * let through when the access control is off. @default no checks
   */
  access?: { control: AccessControl; scopes: MethodScopes<S> };
  /**
   * Hand-written response encoders for some methods, keyed by method local
   * name; see `serviceDefinition`. @default every method encodes reflectively
   */
  responseSerializers?: ResponseSerializers<S>;
}

/** A service ready for `server.addService(definition, implementation)`. */
export interface BoundService {
  /** Full service name (`pulse.v1.DiagnosticsService`); also its health key. */
  readonly name: string;
  readonly definition: ServiceDefinition;
  readonly implementation: UntypedServiceImplementation;
}

type AnyUnary = (request: unknown, call: CallContext) => Promise<unknown>;
type AnyStreaming = (request: unknown, call: CallContext) => AsyncIterable<unknown>;
type UnaryCall = handleUnaryCall<unknown, unknown>;
type StreamingCall = handleServerStreamingCall<unknown, unknown>;

/**
 * Wraps plain async handlers as grpc-js handlers: checks the API key first
 * when `access` is given (see `createAccessControl`), answers undecodable
 * requests with INVALID_ARGUMENT, maps thrown errors through `toErrorStatus`,
 * honours cancellation and backpressure on streams.
 */
export function bindService<S extends DescService>(
  service: S,
  handlers: ServiceHandlers<S>,
  options: BindServiceOptions<S>,
): BoundService {
  const log = options.logger.child({ component: 'grpc', service: service.typeName });
  const byName = handlers as Record<string, unknown>;
  const implementation: UntypedServiceImplementation = {};
  for (const method of service.methods) {
    const handler = byName[method.localName];
    if (typeof handler !== 'function') {
      throw new TypeError(`'${method.localName}' must be a handler function`);
    }
    const guard = guardOf(service, method, options.access);
    implementation[method.name] = wrapHandler(method, handler, log, guard);
  }
  const definition = serviceDefinition(service, {
    responseSerializers: options.responseSerializers,
  });
  return { name: service.typeName, definition, implementation };
}

/** Checks a call's metadata: returns the refusal, or records the admitted key on the context. */
type Guard = (context: ServerCallContext) => { code: Status; details: string } | undefined;

const OPEN: Guard = () => undefined;

function guardOf<S extends DescService>(
  service: S,
  method: DescMethod,
  access: BindServiceOptions<S>['access'],
): Guard {
  if (!access) return OPEN;
  const scopes = (access.scopes as Record<string, readonly Scope[] | undefined>)[method.localName];
  if (!scopes) {
    throw new TypeError(`'${method.localName}' has no entry in the scopes of ${service.typeName}`);
  }
  const { control } = access;
  if (!control.enabled) return OPEN;
  return (context) => {
    const verdict = control.authorize(context.metadata, service.typeName, method.name, scopes);
    if (!verdict.allowed) return { code: verdict.code, details: verdict.details };
    context.apiKey = verdict.key;
    return undefined;
  };
}

function wrapHandler(
  method: DescMethod,
  handler: unknown,
  log: Logger,
  guard: Guard,
): UntypedHandleCall {
  const path = methodPath(method);
  switch (method.methodKind) {
    case 'unary':
      return unaryCall(path, handler as AnyUnary, log, guard);
    case 'server_streaming':
      return serverStreamingCall(path, handler as AnyStreaming, log, guard);
    default:
      throw new TypeError(`'${method.localName}': ${method.methodKind} is not supported`);
  }
}

function unaryCall(path: string, handler: AnyUnary, log: Logger, guard: Guard): UnaryCall {
  return (call, callback) => {
    const context = new ServerCallContext(call, log);
    const refusal = guard(context);
    if (refusal) {
      context.sendHeaders();
      callback(refusal);
      return;
    }
    const request = call.request;
    if (isMalformedRequest(request)) {
      callback(malformedRequestStatus(request.typeName));
      return;
    }

    const finished = callFinished(log, path, context);
    invoke(handler, request, context).then(
      (response) => {
        context.sendHeaders();
        callback(null, response);
        finished(Status.OK);
      },
      (err: unknown) => {
        const status = failureStatus(err, context, path);
        context.sendHeaders();
        callback(status);
        finished(status.code);
      },
    );
  };
}

function serverStreamingCall(
  path: string,
  handler: AnyStreaming,
  log: Logger,
  guard: Guard,
): StreamingCall {
  return (call) => {
    const context = new ServerCallContext(call, log);
    const refusal = guard(context);
    if (refusal) {
      context.sendHeaders();
      call.emit('error', refusal);
      return;
    }
    const request = call.request;
    if (isMalformedRequest(request)) {
      call.emit('error', malformedRequestStatus(request.typeName));
      return;
    }

    context.sendHeaders();
    const finished = callFinished(log, path, context);
    const stream = async () => writeAll(call, handler(request, context), context);
    stream().then(
      () => {
        if (!context.cancelled) call.end();
        finished(context.cancelled ? Status.CANCELLED : Status.OK);
      },
      (err: unknown) => {
        const status = failureStatus(err, context, path);
        // grpc-js turns an 'error' event on the stream into the call's status.
        if (!context.cancelled) call.emit('error', status);
        finished(status.code);
      },
    );
  };
}

function invoke(handler: AnyUnary, request: unknown, context: CallContext): Promise<unknown> {
  try {
    return handler(request, context);
  } catch (err) {
    return Promise.reject(err);
  }
}

/** A failure after cancel is the handler reacting to the abort, not a fault. */
function failureStatus(err: unknown, context: ServerCallContext, path: string) {
  if (!context.cancelled) return toErrorStatus(err, context.logger, path);
  return { code: Status.CANCELLED, details: 'cancelled' };
}

const NOT_LOGGED = (): void => {};

/**
 * Returns the per-call debug log to run when the call ends. On this hot path
 * nothing is timed or allocated unless debug is enabled.
 */
function callFinished(
  log: Logger,
  method: string,
  context: ServerCallContext,
): (code: Status) => void {
  if (!log.isLevelEnabled('debug')) return NOT_LOGGED;
  const startedMs = performance.now();
  return (code) => {
    const durationMs = performance.now() - startedMs;
    context.logger.debug({ method, code: Status[code], durationMs }, 'call finished');
  };
}

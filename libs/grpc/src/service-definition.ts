import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import type { DescMessage, DescMethod, DescService, MessageInitShape } from '@bufbuild/protobuf';
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';

import { MalformedRequest } from './internal/malformed-request.js';
import { responseSerializersOf } from './response-serializers.js';
import type { AnySerializer, ResponseSerializers } from './response-serializers.js';

/** Encoder and decoder for one message type, in the shape grpc-js wants. */
export interface MessageCodec {
  serialize(message: unknown): Buffer;
  deserialize(bytes: Buffer): unknown;
}

/** Options for `serviceDefinition`. */
export interface ServiceDefinitionOptions<S extends DescService = DescService> {
  /**
   * Hand-written response encoders for some methods, keyed by method local
   * name; the other methods encode reflectively. @default none
   */
  responseSerializers?: ResponseSerializers<S>;
}

/**
 * Builds the grpc-js definition of a protobuf-es service: one entry per
 * method, keyed by the proto name, at path `/<typeName>/<Method>`. Request
 * bytes that fail to decode do not throw; the handlers from `bindService`
 * answer them with INVALID_ARGUMENT.
 */
export function serviceDefinition<S extends DescService>(
  service: S,
  options: ServiceDefinitionOptions<S> = {},
): ServiceDefinition {
  const serializers = responseSerializersOf(service, options.responseSerializers);
  const definition: Record<string, MethodDefinition<unknown, unknown>> = {};
  for (const method of service.methods) {
    definition[method.name] = methodDefinition(method, serializers.get(method.localName));
  }
  return definition;
}

/** The path grpc-js routes by, e.g. `/pulse.v1.DiagnosticsService/Ping`. */
export function methodPath(method: DescMethod): string {
  return `/${method.parent.typeName}/${method.name}`;
}

function methodDefinition(
  method: DescMethod,
  serializeResponse: AnySerializer | undefined,
): MethodDefinition<unknown, unknown> {
  const request = messageCodec(method.input);
  const response = messageCodec(method.output);
  const kind = method.methodKind;
  return {
    path: methodPath(method),
    originalName: method.localName,
    requestStream: kind === 'client_streaming' || kind === 'bidi_streaming',
    responseStream: kind === 'server_streaming' || kind === 'bidi_streaming',
    requestSerialize: request.serialize,
    requestDeserialize: tolerantDeserialize(method.input, request),
    responseSerialize: serializeResponse ?? response.serialize,
    responseDeserialize: response.deserialize,
  };
}

/**
 * Codec for one schema. `serialize` accepts a message or an init object, so
 * callers may pass `{ payload }` and let `create` fill in the rest.
 */
export function messageCodec(schema: DescMessage): MessageCodec {
  return {
    serialize(message) {
      const init = message as MessageInitShape<DescMessage>;
      const bytes = toBinary(schema, create(schema, init));
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    },
    deserialize(bytes) {
      return fromBinary(schema, bytes);
    },
  };
}

function tolerantDeserialize(schema: DescMessage, codec: MessageCodec) {
  return (bytes: Buffer): unknown => {
    try {
      return codec.deserialize(bytes);
    } catch (err) {
      return new MalformedRequest(schema.typeName, err);
    }
  };
}

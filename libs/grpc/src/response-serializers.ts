import type { DescMessage, DescService, MessageInitShape } from '@bufbuild/protobuf';

/**
 * Encodes one method's response as the reflective codec would, given a
 * message or an init object (what handlers return). Its bytes must equal
 * `toBinary(output, create(output, response))`; a test should hold them so.
 */
export type ResponseSerializer<O extends DescMessage> = (response: MessageInitShape<O>) => Buffer;

/**
 * Hand-written response encoders for some methods of a service, keyed by
 * method local name (as handlers are): `{ decide: encodeDecideResponse }`.
 */
export type ResponseSerializers<S extends DescService> = {
  readonly [K in keyof S['method']]?: ResponseSerializer<S['method'][K]['output']>;
};

/** A serializer as grpc-js calls it. */
export type AnySerializer = (response: unknown) => Buffer;

/**
 * The serializers by method local name; throws TypeError on a name that is
 * not a method of the service or on a value that is not a function.
 */
export function responseSerializersOf<S extends DescService>(
  service: S,
  serializers: ResponseSerializers<S> | undefined,
): Map<string, AnySerializer> {
  const byName = new Map<string, AnySerializer>();
  if (!serializers) return byName;
  for (const [name, serialize] of Object.entries(serializers)) {
    if (!Object.hasOwn(service.method, name)) {
      throw new TypeError(`'${name}' is not a method of ${service.typeName}`);
    }
    if (typeof serialize !== 'function') {
      throw new TypeError(`'${name}' must be a response serializer function`);
    }
    byName.set(name, serialize as AnySerializer);
  }
  return byName;
}

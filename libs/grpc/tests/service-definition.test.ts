import { create, toBinary } from '@bufbuild/protobuf';
import {
  AudienceService,
  CheckResponseSchema,
  DiagnosticsService,
  PingRequestSchema,
} from '@pulse/proto';
import { describe, expect, it } from 'vitest';

import { methodPath, serviceDefinition } from '../src/index.js';

describe('serviceDefinition', () => {
  it.each([
    ['Check', '/pulse.v1.AudienceService/Check', false],
    ['ListMembers', '/pulse.v1.AudienceService/ListMembers', true],
  ])('describes %s at its path with the right stream flags', (name, path, responseStream) => {
    const method = serviceDefinition(AudienceService)[name];

    expect(method).toMatchObject({ path, requestStream: false, responseStream });
  });

  it('serializes init objects and decodes them back', () => {
    const ping = serviceDefinition(DiagnosticsService).Ping!;
    const payload = new Uint8Array([1, 2, 3]);

    const bytes = ping.requestSerialize({ payload });
    const decoded = ping.requestDeserialize(bytes);

    expect(decoded).toEqual(create(PingRequestSchema, { payload: Buffer.from(payload) }));
  });

  it('does not throw on request bytes that do not decode', () => {
    const ping = serviceDefinition(DiagnosticsService).Ping!;

    expect(() => ping.requestDeserialize(Buffer.from([0x0a, 0x05, 0x01]))).not.toThrow();
  });

  it("encodes responses with a method's own serializer, leaving the others reflective", () => {
    const marker = Buffer.from([0x08, 0x01]);
    const definition = serviceDefinition(AudienceService, {
      responseSerializers: { check: () => marker },
    });
    const response = { member: true };

    expect(definition.Check!.responseSerialize(response)).toBe(marker);
    expect(definition.Check!.requestSerialize({})).toEqual(Buffer.alloc(0));
    const batch = { results: [{ member: true, profileId: 'p-1' }] };
    expect(definition.BatchCheck!.responseSerialize(batch)).toEqual(
      serviceDefinition(AudienceService).BatchCheck!.responseSerialize(batch),
    );
    expect(toBinary(CheckResponseSchema, create(CheckResponseSchema, response))).toEqual(
      new Uint8Array(marker),
    );
  });

  it.each([
    ['a name that is not a method', { ping: () => Buffer.alloc(0) }],
    ['a value that is not a function', { check: 'fast' }],
  ])('throws TypeError for %s in responseSerializers', (_, serializers) => {
    const options = { responseSerializers: serializers as never };

    expect(() => serviceDefinition(AudienceService, options)).toThrow(TypeError);
  });

  it('throws on response bytes that do not decode, as grpc-js clients expect', () => {
    const ping = serviceDefinition(DiagnosticsService).Ping!;

    expect(() => ping.responseDeserialize(Buffer.from([0x0a, 0x05, 0x01]))).toThrow();
  });
});

describe('methodPath', () => {
  it('joins the service type name and the proto method name', () => {
    expect(methodPath(DiagnosticsService.method.ping)).toBe('/pulse.v1.DiagnosticsService/Ping');
  });
});

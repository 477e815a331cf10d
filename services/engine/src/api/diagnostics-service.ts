import type { ServiceHandlers } from '@pulse/grpc';
import type { DiagnosticsService } from '@pulse/proto';

/** DiagnosticsService.Ping echoes its payload; the no-op reference for benchmarks. */
export function diagnosticsHandlers(): ServiceHandlers<typeof DiagnosticsService> {
  return {
    async ping(request) {
      return { payload: request.payload };
    },
  };
}

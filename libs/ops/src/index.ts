export { startOpsServer } from './ops-server.js';
export type { OpsServer, OpsServerOptions } from './ops-server.js';
export { onShutdownSignal } from './shutdown-signal.js';

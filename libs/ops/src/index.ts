export { startOpsServer } from './ops-server.js';
export type { OpsServer, OpsServerOptions } from './ops-server.js';
export { watchShutdownSignals } from './shutdown-signal.js';
export type { ShutdownSignals } from './shutdown-signal.js';

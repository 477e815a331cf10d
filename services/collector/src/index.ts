export { startCollector } from './collector.js';
export type { Collector } from './collector.js';
export { COLLECTOR_ENV_VARIABLES, resolveCollectorConfig } from './config.js';
export type { ResolvedCollectorConfig } from './config.js';
export { SOURCE_METADATA_KEY, DEFAULT_GRPC_SOURCE } from './grpc-intake.js';
export { parseWriteKeys } from './write-keys.js';
export type { WriteKeys } from './write-keys.js';

export { startEngine, EngineStoppedError } from './engine.js';
export type { Engine, EngineExit, EngineState, StartEngineOptions } from './engine.js';
export { resolveEngineConfig, ConfigError } from './config.js';
export type { ResolvedEngineConfig } from './config.js';
export { createClock, CLOCK_MODES } from './clock.js';
export type { Clock, ClockMode } from './clock.js';
export { loadDefinitions, DEFINITION_FILES } from './definitions.js';
export type { Definitions } from './definitions.js';

import { createRootLogger } from '@pulse/logging';
import { onShutdownSignal } from '@pulse/ops';
import { resolveEngineConfig } from './config.js';
import { startEngine } from './engine.js';

const config = resolveEngineConfig();
const logger = createRootLogger({ service: 'pulse-engine', level: config.logLevel });
try {
  const engine = await startEngine(config, logger);
  onShutdownSignal(engine.stop, logger);
  engine.stopped.then(() => logger.flush());
} catch (err) {
  logger.fatal({ err }, 'engine failed to start');
  logger.flush();
  process.exit(1);
}

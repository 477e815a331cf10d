import { createRootLogger } from '@pulse/logging';
import { onShutdownSignal } from '@pulse/ops';
import { startCollector } from './collector.js';
import { resolveCollectorConfig } from './config.js';

const config = resolveCollectorConfig();
const logger = createRootLogger({ service: 'pulse-collector', level: config.logLevel });
try {
  const collector = await startCollector(config, logger);
  onShutdownSignal(collector.stop, logger);
} catch (err) {
  logger.fatal({ err }, 'collector failed to start');
  logger.flush();
  process.exit(1);
}

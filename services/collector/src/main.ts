import { createRootLogger } from '@pulse/logging';
import { shutdownDeadlineMs, watchShutdownSignals } from '@pulse/ops';
import { startCollector } from './collector.js';
import { resolveCollectorConfig } from './config.js';

const config = resolveCollectorConfig();
const logger = createRootLogger({ service: 'pulse-collector', level: config.logLevel });
const shutdown = watchShutdownSignals(logger);
try {
  const collector = await startCollector(config, logger);
  shutdown.onShutdown(
    async () => {
      await collector.stop();
      logger.flush();
      process.exit(0);
    },
    { deadlineMs: shutdownDeadlineMs(config.shutdownGraceMs) },
  );
} catch (err) {
  logger.fatal({ err }, 'collector failed to start');
  logger.flush();
  process.exit(1);
}

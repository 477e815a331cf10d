import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { loaders } from '@pulse/loaders';
import { DEFAULT_DEMO_FILE, runDemo } from './commands/demo.js';
import { runDeleteProfile } from './commands/delete-profile.js';
import { runImport } from './commands/import.js';
import { runDecide, runGetProfile, runListAudiences, runOfferStats } from './commands/query.js';
import { runStatus } from './commands/status.js';
import { exitCodeOf, messageOf } from './errors.js';
import { setClientSecurity } from './client-security.js';
import { runCreateApiKey } from './commands/api-key.js';
import {
  runCreateAudience,
  runDeleteAudience,
  runExportAudience,
  runGetAudience,
  runListAudienceDefinitions,
  runUpdateAudience,
} from './commands/audience.js';

const program = new Command('pulse')
  .description('Pulse: customer data and next-best offers')
  // Throw instead of exiting, so usage errors exit with 2 (see errors.ts).
  .exitOverride()
  .option(
    '--api-key <key>',
    'API key sent to the engine (env PULSE_API_KEY)',
    process.env.PULSE_API_KEY,
  )
  .option(
    '--tls-ca <file>',
    "CA file to verify the engine's TLS certificate; turns TLS on (env PULSE_CLIENT_TLS_CA_FILE)",
    process.env.PULSE_CLIENT_TLS_CA_FILE,
  )
  .hook('preAction', (command) => setClientSecurity(command.opts()));

program
  .command('demo')
  .description('run the main job end to end on the UCI Online Retail file and print the results')
  .option('--file <path>', 'UCI Online Retail CSV', DEFAULT_DEMO_FILE)
  .option(
    '--data-dir <dir>',
    'where NATS and LMDB keep their data (emptied first)',
    '.pulse-data/demo',
  )
  .option('--verbose', 'log the services at info level', false)
  .action((options) => runDemo(options));

const formats = Object.entries(loaders).map(([name, l]) => `  ${name}: ${l.description}`);

program
  .command('import <file>')
  .description('send a file of events to the collectors over NATS; resumes after an interruption')
  .option('--format <format>', 'file format (see below)', 'uci-online-retail')
  .option('--mapping <file>', 'YAML column mapping, for --format mapping')
  .option('--source <source>', 'source name events are filed under', 'import')
  .option('--nats-url <url>', 'NATS server', process.env.NATS_URL ?? 'nats://127.0.0.1:4222')
  .option(
    '--state-dir <dir>',
    'where checkpoints of unfinished imports are kept',
    '.pulse-data/imports',
  )
  .option('--restart', 'ignore a checkpoint and send the whole file again', false)
  .option('--batch-size <n>', 'events per request', positiveInteger, 200)
  .option('--json', 'print the totals as JSON', false)
  .addHelpText('after', `\nFormats:\n${formats.join('\n')}`)
  .action((file, options) => runImport(file, options));

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

const engineOption = ['--engine <host:port>', 'engine gRPC address', 'localhost:50051'] as const;
const jsonOption = ['--json', 'print JSON for scripts', false] as const;

program
  .command('profile <type> <value>')
  .description('show a profile by any identifier')
  .option(...engineOption)
  .option(...jsonOption)
  .action((type, value, options) => runGetProfile(options.engine, { type, value }, options));

program
  .command('delete-profile <type> <value>')
  .description('forget a person: profile, identifiers, traits, features, memberships')
  .option(...engineOption)
  .option('--suppress', 'drop later events that carry any of their identifiers', false)
  .option('--reason <text>', 'why, for the record (a ticket number; no personal data)', '')
  .action((type, value, options) => runDeleteProfile({ type, value }, options));

program
  .command('decide <placement> <type> <value>')
  .description('ask for the next-best offers of a visitor at a placement')
  .option(...engineOption)
  .option('--limit <n>', 'offers to return', positiveInteger, 3)
  .option(
    '--explain',
    'say why each offer was chosen (offers change between calls while learning explores)',
    false,
  )
  .option(...jsonOption)
  .action((placement, type, value, options) =>
    runDecide(options.engine, placement, { type, value }, options.limit, options),
  );

program
  .command('audiences')
  .description('list audiences with their sizes')
  .option(...engineOption)
  .option(...jsonOption)
  .action((options) => runListAudiences(options.engine, options));

program
  .command('offer-stats [placement]')
  .description(
    'decisions, impressions, clicks, conversions, value and learned propensity per offer',
  )
  .option(...engineOption)
  .option(...jsonOption)
  .action((placement, options) => runOfferStats(options.engine, placement ?? '', options));

program
  .command('status')
  .description('streams with message counts, consumers with lag, profiles and audience sizes')
  .option('--nats-url <url>', 'NATS server', process.env.NATS_URL ?? 'nats://127.0.0.1:4222')
  .option(...engineOption)
  .option(
    '--engine-metrics <url>',
    "the engine's Prometheus endpoint",
    'http://localhost:9464/metrics',
  )
  .option(...jsonOption)
  .action((options) => runStatus(options));

const audience = program
  .command('audience')
  .description('manage audience definitions (PULSE_AUDIENCE_STORE=kv) and export members');

function definitionCommand(name: string, description: string) {
  return audience
    .command(`${name} <id>`)
    .description(description)
    .option('--name <name>', 'display name')
    .option('--expression <cel>', 'CEL bool rule over traits, features, identifiers, now')
    .option('--description <text>', 'what the audience is for')
    .option('--no-wait', 'return without following the backfill')
    .option(...engineOption)
    .option(...jsonOption);
}

definitionCommand('create', 'store a new audience and backfill it over existing profiles').action(
  (id, options) => runCreateAudience(id, options, options),
);

definitionCommand('update', 'change an audience (its version goes up) and backfill it').action(
  (id, options) => runUpdateAudience(id, options, options),
);

audience
  .command('delete <id>')
  .description('remove an audience')
  .option(...engineOption)
  .option(...jsonOption)
  .action((id, options) => runDeleteAudience(id, options));

audience
  .command('get <id>')
  .description('show an audience with its size and backfill progress')
  .option(...engineOption)
  .option(...jsonOption)
  .action((id, options) => runGetAudience(id, options));

audience
  .command('list')
  .description('list the stored audience definitions')
  .option(...engineOption)
  .option(...jsonOption)
  .action((options) => runListAudienceDefinitions(options));

function formatOption(value: string): 'csv' | 'ndjson' {
  if (value !== 'csv' && value !== 'ndjson') throw new InvalidArgumentError('csv or ndjson');
  return value;
}

audience
  .command('export <id>')
  .description('write every member with chosen identifiers, from one consistent snapshot')
  .option('--format <format>', 'csv or ndjson', formatOption, 'csv')
  .option('--identifiers <types>', 'identifier types, comma separated', 'email,user_id')
  .option('--output <file>', 'write to a file instead of standard output')
  .option(...engineOption)
  .action((id, options) =>
    runExportAudience(id, { ...options, identifiers: String(options.identifiers).split(',') }),
  );

// Exit through process.exit so that 'exit' hooks (a local nats-server) run.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => process.exit(130));
}
process.stdout.on('error', () => process.exit(0));

program
  .command('api-key')
  .description('manage API keys')
  .command('create <id>')
  .description('make a random API key; prints it once and its entry for the keys file')
  .requiredOption(
    '--scopes <list>',
    'comma-separated: ingest, decide, audience:read, profile:read, admin',
  )
  .option('--source <source>', 'source its events are filed under (default: the id)')
  .option(...jsonOption)
  .action((id, options) => runCreateApiKey(id, options));

program.parseAsync().catch((err: unknown) => {
  // Commander already printed its own errors and the help text.
  if (!(err instanceof CommanderError)) {
    process.stderr.write(`pulse: ${messageOf(err)}\n`);
  }
  process.exit(exitCodeOf(err));
});

import { Command, InvalidArgumentError } from 'commander';
import { DEFAULT_DEMO_FILE, runDemo } from './commands/demo.js';
import { runImport } from './commands/import.js';
import { runDecide, runGetProfile, runListAudiences } from './commands/query.js';
import {
  runCreateAudience,
  runDeleteAudience,
  runExportAudience,
  runGetAudience,
  runListAudienceDefinitions,
  runUpdateAudience,
} from './commands/audience.js';

const program = new Command('pulse').description('Pulse: customer data and next-best offers');

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

program
  .command('import <file>')
  .description('send a file of events to the collectors over NATS')
  .option('--format <format>', 'file format', 'uci-online-retail')
  .option('--source <source>', 'source name events are filed under', 'import')
  .option('--nats-url <url>', 'NATS server', process.env.NATS_URL ?? 'nats://127.0.0.1:4222')
  .action((file, options) => runImport(file, options));

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

const engineOption = ['--engine <host:port>', 'engine gRPC address', 'localhost:50051'] as const;

program
  .command('profile <type> <value>')
  .description('show a profile by any identifier')
  .option(...engineOption)
  .action((type, value, options) => runGetProfile(options.engine, { type, value }));

program
  .command('decide <placement> <type> <value>')
  .description('ask for the next-best offers of a visitor at a placement')
  .option(...engineOption)
  .option('--limit <n>', 'offers to return', positiveInteger, 3)
  .action((placement, type, value, options) =>
    runDecide(options.engine, placement, { type, value }, options.limit),
  );

program
  .command('audiences')
  .description('list audiences with their sizes')
  .option(...engineOption)
  .action((options) => runListAudiences(options.engine));

const audience = program
  .command('audience')
  .description('manage audience definitions (PULSE_AUDIENCE_STORE=kv) and export members');

const jsonOption = ['--json', 'print JSON', false] as const;

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

program.parseAsync().catch((err: unknown) => {
  process.stderr.write(`pulse: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { toJson } from '@bufbuild/protobuf';
import { createClient } from '../client-security.js';
import {
  AudienceAdminService,
  AudienceDefinitionSchema,
  AudienceService,
  BackfillProgressSchema,
  BackfillState,
} from '@pulse/proto';
import type { AudienceDefinition, AudienceMember, BackfillProgress } from '@pulse/proto';
import { SingleBar, Presets } from 'cli-progress';

/** Options every `pulse audience` command takes. */
export interface AudienceCommandOptions {
  engine: string;
  json?: boolean;
}

/** What `create` and `update` send. */
export interface AudienceFields {
  name?: string;
  expression?: string;
  description?: string;
  /** Wait for the backfill and show its progress. */
  wait?: boolean;
}

const POLL_MS = 250;

function adminClient(address: string) {
  return createClient(AudienceAdminService, address, { deadlineMs: 10_000 });
}

/** `pulse audience create ID`: stores a new audience and follows its backfill. */
export async function runCreateAudience(
  id: string,
  fields: AudienceFields,
  options: AudienceCommandOptions,
): Promise<void> {
  const client = adminClient(options.engine);
  try {
    const audience = {
      id,
      name: fields.name ?? id,
      expression: fields.expression ?? '',
      description: fields.description ?? '',
    };
    const created = await client.createAudience({ audience });
    printAudience(created.audience!, options);
    if (fields.wait) await followBackfill(client, `${id}@1`, options);
  } finally {
    client.close();
  }
}

/** `pulse audience update ID`: changes the fields given and follows the backfill. */
export async function runUpdateAudience(
  id: string,
  fields: AudienceFields,
  options: AudienceCommandOptions,
): Promise<void> {
  const client = adminClient(options.engine);
  try {
    const { audience: current } = await client.getAudience({ audienceId: id });
    const audience = {
      ...current!,
      name: fields.name ?? current!.name,
      expression: fields.expression ?? current!.expression,
      description: fields.description ?? current!.description,
    };
    const updated = await client.updateAudience({ audience });
    printAudience(updated.audience!, options);
    const ruleChanged = audience.expression !== current!.expression;
    if (fields.wait && ruleChanged) {
      await followBackfill(client, `${id}@${updated.audience!.version}`, options);
    }
  } finally {
    client.close();
  }
}

/** `pulse audience delete ID`. */
export async function runDeleteAudience(id: string, options: AudienceCommandOptions) {
  const client = adminClient(options.engine);
  try {
    await client.deleteAudience({ audienceId: id });
    write(options.json ? JSON.stringify({ deleted: id }) : `deleted ${id}`);
  } finally {
    client.close();
  }
}

/** `pulse audience get ID`: the definition, its size and this engine's backfill. */
export async function runGetAudience(id: string, options: AudienceCommandOptions) {
  const client = adminClient(options.engine);
  try {
    const { audience, size, backfill } = await client.getAudience({ audienceId: id });
    if (options.json) {
      const json = {
        ...(toJson(AudienceDefinitionSchema, audience!) as object),
        size: Number(size),
        backfill: backfill && toJson(BackfillProgressSchema, backfill),
      };
      write(JSON.stringify(json));
      return;
    }
    printAudience(audience!, options);
    write(`  size ${size}${backfill ? `  backfill ${describeBackfill(backfill)}` : ''}`);
  } finally {
    client.close();
  }
}

/** `pulse audience list`: every stored definition. */
export async function runListAudienceDefinitions(options: AudienceCommandOptions) {
  const client = adminClient(options.engine);
  try {
    const { audiences } = await client.listAudienceDefinitions({});
    for (const audience of audiences) printAudience(audience, options);
  } finally {
    client.close();
  }
}

/** How long an export may stream before it gives up. */
const EXPORT_DEADLINE_MS = 3_600_000;

/** Options of `pulse audience export`. */
export interface ExportOptions {
  engine: string;
  format: 'csv' | 'ndjson';
  identifiers: string[];
  /** A file to write; standard output when absent. */
  output?: string;
}

/** `pulse audience export ID`: every member with the identifiers asked for. */
export async function runExportAudience(id: string, options: ExportOptions): Promise<void> {
  // Exports of large audiences stream for a while; keepalive still catches a dead peer.
  const client = createClient(AudienceService, options.engine, {
    streamDeadlineMs: EXPORT_DEADLINE_MS,
  });
  const out: Writable = options.output ? createWriteStream(options.output) : process.stdout;
  const bar = progressBar('members');
  let written = 0;
  try {
    if (options.format === 'csv')
      out.write(`${['profile_id', ...options.identifiers].join(',')}\n`);
    const request = { audienceId: id, identifierTypes: options.identifiers };
    for await (const chunk of client.listMembers(request)) {
      if (chunk.total > 0n) bar?.setTotal(Number(chunk.total));
      for (const member of chunk.members) {
        out.write(`${formatMember(member, options)}\n`);
      }
      written += chunk.members.length;
      bar?.update(written);
    }
  } finally {
    bar?.stop();
    client.close();
    if (out !== process.stdout) await new Promise((resolve) => out.end(resolve));
  }
  process.stderr.write(`exported ${written} members of ${id}\n`);
}

function formatMember(member: AudienceMember, options: ExportOptions): string {
  const values = (type: string) =>
    member.identifiers.filter((i) => i.type === type).map((i) => i.value);
  if (options.format === 'ndjson') {
    const ids = Object.fromEntries(options.identifiers.map((type) => [type, values(type)]));
    return JSON.stringify({ profile_id: member.profileId, ...ids });
  }
  const cells = [member.profileId, ...options.identifiers.map((type) => values(type).join(' '))];
  return cells.map(csvCell).join(',');
}

function csvCell(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Polls the backfill of `tag` until it is done, with a bar on a terminal. */
async function followBackfill(
  client: ReturnType<typeof adminClient>,
  tag: string,
  options: AudienceCommandOptions,
): Promise<void> {
  const bar = options.json ? undefined : progressBar('profiles');
  try {
    for (;;) {
      const { backfill } = await client.getBackfill({});
      const ours = backfill?.audiences.includes(tag);
      if (ours && backfill) {
        bar?.setTotal(Number(backfill.profilesTotal));
        bar?.update(Number(backfill.profilesDone));
        if (backfill.state !== BackfillState.RUNNING) {
          bar?.stop();
          const json = JSON.stringify({ backfill: toJson(BackfillProgressSchema, backfill) });
          write(options.json ? json : `backfill ${describeBackfill(backfill)}`);
          return;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } finally {
    bar?.stop();
  }
}

function describeBackfill(b: BackfillProgress): string {
  const state = BackfillState[b.state].toLowerCase();
  return `${state}: ${b.profilesDone}/${b.profilesTotal} profiles, +${b.entered} -${b.exited}`;
}

/** A bar on standard error when it is a terminal. */
function progressBar(unit: string): SingleBar | undefined {
  if (!process.stderr.isTTY) return undefined;
  const format = `{bar} {percentage}% | {value}/{total} ${unit} | {eta}s left`;
  const bar = new SingleBar({ format, stream: process.stderr }, Presets.shades_classic);
  bar.start(0, 0);
  return bar;
}

function printAudience(audience: AudienceDefinition, options: AudienceCommandOptions): void {
  if (options.json) {
    write(JSON.stringify(toJson(AudienceDefinitionSchema, audience)));
    return;
  }
  const description = audience.description ? `  (${audience.description})` : '';
  write(`${audience.id} v${audience.version}  ${audience.name}${description}`);
  write(`  ${audience.expression}`);
}

function write(line: string): void {
  process.stdout.write(`${line}\n`);
}

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { COLLECTOR_ENV_VARIABLES } from '@pulse/collector';
import { ENGINE_ENV_VARIABLES } from '@pulse/engine';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../harness/index.js';

/** `variable service` pairs of the README's configuration reference table. */
function documentedPairs(): string[] {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.split('## Configuration reference')[1]!.split('\n## ')[0]!;
  const rows = section.split('\n').filter((line) => /^\| `[A-Z_]+` \|/.test(line));
  return rows.flatMap((row) => {
    const [variable, services] = row
      .split('|')
      .slice(1, 3)
      .map((cell) => cell.trim());
    const name = variable!.replaceAll('`', '');
    return services!.split(',').map((service) => `${name} ${service.trim()}`);
  });
}

/** Variables the CLI reads: every `process.env.NAME` (or `env.NAME`) in its sources. */
function cliVariables(): string[] {
  const dir = join(REPO_ROOT, 'services/cli/src');
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) =>
    f.endsWith('.ts'),
  );
  const names = files.flatMap((file) => {
    const source = readFileSync(join(dir, file), 'utf8');
    return [...source.matchAll(/\benv\.([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]!);
  });
  return [...new Set(names)];
}

describe('the README configuration reference', () => {
  it('lists every variable of each service once, and nothing else', () => {
    const expected = [
      ...ENGINE_ENV_VARIABLES.map((name) => `${name} engine`),
      ...COLLECTOR_ENV_VARIABLES.map((name) => `${name} collector`),
      ...cliVariables().map((name) => `${name} cli`),
    ];
    const documented = documentedPairs();
    expect(new Set(documented).size).toBe(documented.length);
    expect([...documented].sort()).toEqual([...expected].sort());
  });

  it('finds the CLI reading NATS_URL, so the scan of its sources works', () => {
    expect(cliVariables()).toContain('NATS_URL');
  });
});

import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadDefinitions } from '@pulse/engine';

const RETAIL = resolve(import.meta.dirname, '../../../deploy/definitions/retail');

describe('loadDefinitions', () => {
  const dirs: string[] = [];
  const copy = () => {
    const dir = mkdtempSync(join(tmpdir(), 'pulse-defs-'));
    cpSync(RETAIL, dir, { recursive: true });
    dirs.push(dir);
    return dir;
  };

  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('loads the shipped retail definitions', () => {
    const defs = loadDefinitions(RETAIL);
    expect(defs.audiences.ids).toContain('repeat_buyers_7d');
    expect(defs.audiencesReadTime).toBe(true); // new_customers reads now
  });

  it('refuses an audience rule that names a feature nobody defined', () => {
    const dir = copy();
    const file = join(dir, 'audiences.yaml');
    const text = readFileSync(file, 'utf8');
    writeFileSync(
      file,
      text.replace('features.spend_30d >= 1000.0', 'features.spend_30dd >= 1000.0'),
    );
    expect(() => loadDefinitions(dir)).toThrow(/audiences\.yaml.*spend_30dd/s);
  });
});

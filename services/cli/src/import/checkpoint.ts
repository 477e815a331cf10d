import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** What a checkpoint file holds. */
export interface CheckpointState {
  format: string;
  /** Absolute path of the imported file. */
  file: string;
  /** `fileIdentity` of the file when the import began. */
  fileId: string;
  /** Leading records whose requests the collectors acknowledged. */
  acknowledged: number;
  updatedAt: string;
}

/**
 * An import's progress on disk, one JSON file per (format, file, mapping) in
 * the state folder. It is written after each acknowledged step (write to a
 * temporary file, then rename, so a kill leaves the old or the new one) and
 * removed when the import finishes.
 */
export class ImportCheckpoint {
  readonly path: string;

  constructor(stateDir: string, format: string, file: string, mappingText = '') {
    const key = createHash('sha256')
      .update(JSON.stringify([format, resolve(file), mappingText]))
      .digest('hex')
      .slice(0, 16);
    this.path = join(resolve(stateDir), `${format}-${key}.json`);
  }

  /** The saved state, if any. */
  load(): CheckpointState | undefined {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    return JSON.parse(text) as CheckpointState;
  }

  /** Replaces the saved state atomically. */
  save(state: Omit<CheckpointState, 'updatedAt'>): void {
    mkdirSync(join(this.path, '..'), { recursive: true });
    const temporary = `${this.path}.tmp`;
    const full: CheckpointState = { ...state, updatedAt: new Date().toISOString() };
    writeFileSync(temporary, `${JSON.stringify(full)}\n`);
    renameSync(temporary, this.path);
  }

  /** Forgets the import, once it finished. */
  remove(): void {
    rmSync(this.path, { force: true });
  }
}

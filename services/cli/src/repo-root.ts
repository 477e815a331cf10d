import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, found from this file in `services/cli/src`. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

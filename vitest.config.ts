import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const libs = fileURLToPath(new URL('./libs', import.meta.url));
const services = fileURLToPath(new URL('./services', import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@pulse\/(engine|collector)$/, replacement: `${services}/$1/src/index.ts` },
      { find: /^@pulse\/([\w-]+)$/, replacement: `${libs}/$1/src/index.ts` },
    ],
  },
  test: {
    include: ['libs/*/tests/**/*.test.ts', 'services/*/tests/**/*.test.ts', 'tests/**/*.test.ts'],
    exclude: ['tests/bench/**', 'node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    globalSetup: ['tests/harness/global-setup.ts'],
  },
});

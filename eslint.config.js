import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'libs/proto/src/gen/', '**/dist/', '.pulse-data/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      'no-console': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@pulse/*/*'], message: 'Import a package through its index.' }] },
      ],
    },
  },
  {
    files: ['tests/**', 'services/cli/**', '**/tests/**'],
    rules: { 'no-console': 'off' },
  },
);

// ESLint: typescript-eslint's recommended rules, tuned where the codebase decides otherwise (see
// each comment). Import boundaries are dependency-cruiser's job (.dependency-cruiser.cjs).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'test/generated/', 'src/server/dashboard/', 'data/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // GraphQL arguments, worker payloads and JSON bodies are typed at the boundary that checks them.
      '@typescript-eslint/no-explicit-any': 'off',
      // type-graphql takes resolver classes as Function.
      '@typescript-eslint/no-unsafe-function-type': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      // Deliberately empty catch blocks say why in a comment.
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/cli/**'],
    // The server logs through pino; only the CLI writes to the terminal.
    rules: { 'no-console': 'error' },
  },
  {
    files: ['**/*.cjs', 'jest.config.js', 'scripts/**/*.mjs', 'bin/**/*.js'],
    languageOptions: { globals: { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly', console: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);

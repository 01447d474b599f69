import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import nodePlugin from 'eslint-plugin-n';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'apps/web/dist/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', fetch: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', performance: 'readonly', TextDecoder: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', Buffer: 'readonly' } },
    rules: {
      'no-console': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  { files: ['scripts/**', 'bench/**'], rules: { 'no-console': 'off' } },
  // What the services run must be a runtime dependency: the production image installs with
  // `npm ci --omit=dev`, so a devDependency imported here would crash the service at start-up.
  // (The web UI is bundled at build time, so its imports are build dependencies.)
  {
    files: ['apps/{gateway,generator,history}/src/**/*.ts', 'libs/*/src/**/*.ts', 'scripts/**/*.mjs'],
    ignores: ['**/*.spec.ts'],
    plugins: { n: nodePlugin },
    settings: { n: { tryExtensions: ['.ts', '.js', '.mjs'] } },
    rules: {
      'n/no-unpublished-import': ['error', { ignorePrivate: false, ignoreTypeImport: true }],
      'n/no-extraneous-import': 'error',
    },
  },
);

// Lint: typescript-eslint (type-aware) for correctness, Prettier for layout (.prettierrc.json).
// Why not Biome: rentio is promise-heavy, and the rules that matter most here
// (no-floating-promises, no-misused-promises, await-thenable, require-await) need the real
// TypeScript checker, which typescript-eslint uses and Biome only approximates.
// `npm run lint` (scripts/lint.mjs) says which paths are linted today.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Promise rules for plain JS too: TypeScript infers types in .mjs files (allowJs in tsconfig.eslint.json).
const promiseRules = {
  '@typescript-eslint/no-floating-promises': 'error',
  '@typescript-eslint/no-misused-promises': 'error',
  '@typescript-eslint/await-thenable': 'error',
};

export default tseslint.config(
  { ignores: ['**/dist/', '**/node_modules/', 'bench/build/', 'bench/results/', '.tap/'] },
  // Bun and Deno programs for the benchmarks: other runtimes' globals, outside any tsconfig.
  { ignores: ['bench/workloads/*.bun.ts', 'bench/workloads/*.deno.ts'] },
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.node },
      parserOptions: { project: ['./tsconfig.eslint.json', './packages/*/tsconfig.json'], tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    rules: {
      ...promiseRules,
      // `_`-prefixed names mark parameters a contract requires but this implementation ignores.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    extends: [js.configs.recommended],
    plugins: { '@typescript-eslint': tseslint.plugin },
    languageOptions: { parser: tseslint.parser },
    rules: {
      ...promiseRules,
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // tap's t.test()/t.skip()/t.todo() return a promise that tap itself awaits: a parent test ends
    // only after its queued subtests, and a subtest's failure is reported as a test failure, never
    // as a rejection. So they are known-safe calls here (as tap's own docs write them), and the
    // rule stays on for every other promise a test makes.
    files: ['test/**/*.mjs'],
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: '@tapjs/test', name: ['test', 'skip', 'todo'] }] },
      ],
    },
  },
);

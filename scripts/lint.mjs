#!/usr/bin/env node
// `npm run lint`: ESLint (typescript-eslint, type-aware; eslint.config.js) and Prettier's check
// (.prettierrc.json) over the paths below. `--fix` applies both; `--all` also covers the paths
// still pending, to see what they would report.
import { spawnSync } from 'node:child_process';

const LINTED = ['eslint.config.js', 'scripts', 'bench', 'examples', 'packages/*/src/**/*.ts', 'test'];
// Paths to see with `--all` before they join LINTED (none today).
const PENDING = [];

const fix = process.argv.includes('--fix');
const paths = process.argv.includes('--all') ? [...LINTED, ...PENDING] : LINTED;
const run = (bin, args) => spawnSync(process.execPath, [bin, ...args], { stdio: 'inherit' }).status ?? 1;

const eslint = run('node_modules/eslint/bin/eslint.js', [...(fix ? ['--fix'] : []), '--max-warnings=0', ...paths]);
const prettier = run('node_modules/prettier/bin/prettier.cjs', [
  fix ? '--write' : '--check',
  '--log-level=warn',
  ...paths.map((p) => (p.includes('*') || p.includes('.') ? p : `${p}/**/*.{js,mjs,ts}`)),
]);
if (eslint === 0 && prettier === 0) console.log(`lint: clean (${paths.join(', ')})`);
process.exit(eslint || prettier);

#!/usr/bin/env node
// `npx cachegate …`: runs the compiled CLI (dist/, after `npm run build`) when it is at least as
// new as its source, else the TypeScript source through tsx (a devDependency, there after `npm ci`).
'use strict';
const { existsSync, statSync } = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const compiled = path.join(root, 'dist', 'src', 'cli', 'cachegate.js');
const source = path.join(root, 'src', 'cli', 'cachegate.ts');
const mtime = (file) => (existsSync(file) ? statSync(file).mtimeMs : -1);

if (mtime(compiled) >= mtime(source)) {
  require(compiled);
} else {
  let register;
  try {
    ({ register } = require('tsx/cjs/api'));
  } catch {
    process.stderr.write('cachegate: dist/ is missing or older than src/ and tsx is not installed; run `npm ci` or `npm run build`\n');
    process.exit(1);
  }
  register();
  require(source);
}

// Copies the non-TypeScript files the compiled gateway reads (SQL migrations) into dist/.
import { cpSync } from 'node:fs';

cpSync('src/db/migrations', 'dist/src/db/migrations', { recursive: true });

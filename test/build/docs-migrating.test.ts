import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config';

const ROOT = path.join(__dirname, '..', '..');
const page = readFileSync(path.join(ROOT, 'docs', 'migrating.md'), 'utf8');

/** docs/migrating.md (issue 20, item 5) names every seed function and states cachegate's real defaults. */
describe('docs/migrating.md', () => {
  it('maps each of the seed systems’ functions and endpoints', () => {
    for (const name of [
      '@cache_result',
      '@cache_response',
      'invalidate_user_cache',
      '/cache/info',
      '/cache/stats',
      'cache_aside_get',
      'batch_get',
      'warm_cache',
      'use_cache=false',
    ])
      expect(page).toContain(name);
    expect(page).toMatch(/in-memory fallback/);
  });

  it('quotes the defaults the gateway actually has', () => {
    const c = loadConfig({});
    expect(page).toContain(`| ${c.CACHE_DEFAULT_TTL} s (\`CACHE_DEFAULT_TTL\`)`);
    expect(page).toContain(`| ${c.REDIS_POOL_SIZE} (\`REDIS_POOL_SIZE\`)`);
    expect(page).toContain(`| ${c.CACHE_MAX_ENTRY_BYTES / 1024 / 1024} MiB (\`CACHE_MAX_ENTRY_BYTES\`)`);
    const compose = readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8');
    expect(compose).toContain("'--appendonly', 'no'");
    expect(page).toContain('--appendonly no');
  });
});

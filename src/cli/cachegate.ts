#!/usr/bin/env node
// The cachegate command line: cache stats, health, entries, invalidation and warming, against a
// running gateway over GraphQL. `npx cachegate --help`. Talks HTTP only (no Redis, no database),
// so it works from any machine that can reach the gateway.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Kind, type OperationDefinitionNode, parse } from 'graphql';
import { adminOperations, type InvalidationMutation } from '../admin/operations';

const HELP = `Usage: cachegate <command> [options]

Commands:
  stats                          the cache's counters (whole deployment), per field
  health                         cache health: backend, circuit, Redis latency (no token needed)
  entry KEY                      one key read back: TTL, size, tags and whether each is current
  invalidate TARGET [--dry-run]  TARGET is one of:
                                   --tag TAG (repeatable)  --pattern GLOB  --key KEY
                                   --user ID  --dataset ID  --model ID  --all (clear the cache)
  reset-stats                    zero the counters (the whole deployment's with Redis, the
                                 answering instance's without)
  warm FILE.graphql...           run every query in the files to fill the cache, and report
                                 hits and misses
                                   --variables FILE.json  {"OperationName": {...} or [{...}, ...]}

Options:
  --url URL       GraphQL endpoint (default $CACHEGATE_URL or http://localhost:4000/graphql)
  --token TOKEN   bearer token, admin for everything but health and warm (default $CACHEGATE_TOKEN)
  --json          print JSON instead of text
  -h, --help      this help

Exit status: 0 on success, 1 when the gateway answered with errors, 2 on a usage error.
`;

class UsageError extends Error {}
class GatewayError extends Error {}

interface Options {
  url: string;
  token?: string;
  json: boolean;
}

interface GraphQLResponse {
  data?: any;
  errors?: { message: string; extensions?: { code?: string } }[];
  extensions?: { cache?: { response?: string; fields?: Record<string, { hits: number; misses: number }> } };
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      url: { type: 'string' },
      token: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      tag: { type: 'string', multiple: true },
      pattern: { type: 'string' },
      key: { type: 'string' },
      user: { type: 'string' },
      dataset: { type: 'string' },
      model: { type: 'string' },
      all: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      variables: { type: 'string' },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    process.stdout.write(HELP);
    return command || values.help ? 0 : 2;
  }
  const opts: Options = {
    url: values.url ?? process.env.CACHEGATE_URL ?? 'http://localhost:4000/graphql',
    token: (values.token ?? process.env.CACHEGATE_TOKEN)?.replace(/^Bearer\s+/i, '') || undefined,
    json: values.json ?? false,
  };
  switch (command) {
    case 'stats':
      return stats(opts);
    case 'health':
      return health(opts);
    case 'entry':
      if (rest.length !== 1) throw new UsageError('entry takes one KEY');
      return entry(opts, rest[0]);
    case 'reset-stats':
      return resetStats(opts);
    case 'invalidate':
      return invalidate(opts, values);
    case 'warm':
      if (rest.length === 0) throw new UsageError('warm needs at least one FILE.graphql');
      return warm(opts, rest, values.variables);
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  }
}

async function stats(opts: Options): Promise<number> {
  const s = (await request(opts, adminOperations.stats)).cacheStats;
  if (opts.json) return print(s);
  const lines = [
    `backend        ${backendLine(s)} — counts for ${s.scope === 'deployment' ? 'every instance' : 'this instance only'}`,
    `hit rate       ${percent(s.hitRate)}  (${s.totalRequests} lookups: ${s.hits} hits, ${s.misses} misses)`,
    `counting for   ${duration(s.sinceResetSeconds)} since the last reset    this instance up ${duration(s.uptimeSeconds)}`,
    `sets           ${s.sets}    deletes ${s.deletes} (${s.invalidatedTags} tags invalidated, ${s.deletedKeys} keys deleted)    errors ${s.errors}`,
    `keys           ${s.keyCount ?? 'unknown'} under the prefix    Redis memory ${s.redisUsedMemoryHuman ?? 'n/a'}${s.redisMaxMemoryPolicy ? ` (${s.redisMaxMemoryPolicy})` : ''}`,
    ...(s.redisKeyspaceHits === null
      ? []
      : [
          `Redis server   keyspace hits ${s.redisKeyspaceHits}, misses ${s.redisKeyspaceMisses}, evicted keys ${s.redisEvictedKeys} (every application on it)`,
        ]),
    `in-process     ${s.l1Entries} entries, ${s.l1Bytes} bytes`,
    ...(s.countsLost ? [`WARNING        counts were lost at ${s.countsLostAt}: the stats hashes were evicted or expired in Redis`] : []),
  ];
  if (s.fields.length > 0) {
    lines.push(
      '',
      table(
        ['field', 'hits', 'misses', 'hit rate', 'avg hit ms', 'avg miss ms'],
        s.fields.map((f: any) => [f.coordinate, f.hits, f.misses, percent(f.hitRate), ms(f.avgHitMs), ms(f.avgMissMs)]),
      ),
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

async function health(opts: Options): Promise<number> {
  const h = (await request(opts, adminOperations.health)).cacheHealth;
  if (opts.json) return print(h, h.healthy ? 0 : 1);
  const redis = h.redis ? `  Redis ${h.redis.available ? `up, PING ${ms(h.redis.latencyMs)} ms` : 'unreachable'} at ${h.redis.url}` : '';
  const memory = `  hit rate ${percent(h.hitRate)} (this instance)    in-process ${h.l1Bytes}/${h.l1MaxBytes} bytes${
    h.redisUsedMemoryBytes === null
      ? ''
      : `    Redis memory ${h.redisUsedMemoryBytes}${h.redisMaxMemoryBytes ? `/${h.redisMaxMemoryBytes}` : ''} bytes`
  }`;
  process.stdout.write(
    `${h.healthy ? 'healthy' : 'UNHEALTHY'}: ${h.backend}${h.tiered ? ' + in-process tier' : ''}, circuit ${h.circuit}\n${redis ? `${redis}\n` : ''}${memory}\n`,
  );
  return h.healthy ? 0 : 1;
}

async function entry(opts: Options, key: string): Promise<number> {
  const e = (await request(opts, adminOperations.entry, { key })).cacheEntry;
  if (opts.json) return print(e);
  if (!e.exists) {
    process.stdout.write(`${key}: no such key\n`);
    return 0;
  }
  const tags = e.tagStates.map((t: any) => `${t.tag} (${t.current ? 'current' : 'INVALIDATED'})`).join(', ');
  process.stdout.write(
    [
      `${e.key}`,
      `  kind ${e.kind}, ${e.bytes ?? '?'} bytes${e.compressed ? ' (compressed)' : ''}, expires in ${e.ttlSeconds === null ? 'never' : `${Math.round(e.ttlSeconds)} s`}`,
      ...(e.createdAt ? [`  created ${e.createdAt}, fresh until ${e.freshUntil}`] : []),
      ...(e.tagStates.length ? [`  tags ${tags}`] : []),
    ].join('\n') + '\n',
  );
  return 0;
}

async function resetStats(opts: Options): Promise<number> {
  const s = (await request(opts, adminOperations.resetStats)).resetCacheStats;
  if (opts.json) return print({ reset: true, scope: s.scope });
  // Without Redis (or while it is down) each instance counts on its own: only the answering one was reset.
  process.stdout.write(
    s.scope === 'deployment'
      ? 'cache stats reset for the whole deployment\n'
      : 'cache stats reset for the answering instance only (its counts are its own: no Redis to share them)\n',
  );
  return 0;
}

/** The backend as an operator reads it: no Redis configured is not Redis being down. */
function backendLine(s: { backend: string; redisAvailable: boolean }): string {
  if (s.backend === 'memory') return 'in-process only (no REDIS_URL)';
  return s.redisAvailable ? 'redis' : 'redis (unreachable now)';
}

async function invalidate(opts: Options, v: Record<string, any>): Promise<number> {
  const dryRun = Boolean(v['dry-run']);
  const targets: [InvalidationMutation, unknown][] = [];
  if (v.tag?.length) targets.push(['invalidateCacheTags', v.tag]);
  if (v.pattern !== undefined) targets.push(['invalidateCachePattern', v.pattern]);
  if (v.key !== undefined) targets.push(['invalidateCacheKey', v.key]);
  if (v.user !== undefined) targets.push(['invalidateUserCache', v.user]);
  if (v.dataset !== undefined) targets.push(['invalidateDatasetCache', v.dataset]);
  if (v.model !== undefined) targets.push(['invalidateModelCache', v.model]);
  if (v.all) targets.push(['clearCache', undefined]);
  if (targets.length !== 1)
    throw new UsageError('invalidate takes exactly one of --tag (repeatable), --pattern, --key, --user, --dataset, --model, --all');
  const [mutation, value] = targets[0];
  const r = (await request(opts, adminOperations.invalidate[mutation], value === undefined ? { dryRun } : { value, dryRun })).r;
  if (opts.json) return print(r);
  const what = r.dryRun ? 'would invalidate' : 'invalidated';
  const deleted = r.dryRun ? `, would delete ${r.deletedKeys} key(s) (dry run: nothing changed)` : `, ${r.deletedKeys} key(s) deleted`;
  process.stdout.write(`${what} ${r.invalidated}${r.tags.length ? ` (tags: ${r.tags.join(', ')})` : ''}${r.deletedKeys ? deleted : ''}\n`);
  return 0;
}

interface WarmRun {
  operation: string;
  file: string;
  ok: boolean;
  error?: string;
  hits: number;
  misses: number;
  /** x-cache: HIT or MISS when the gateway considered a whole-response entry. */
  response?: string;
  /** The answer carried extensions.cache (the gateway runs with CACHE_DEBUG). */
  debugged: boolean;
}

/** A file the user named: one that is missing or unreadable is a usage error (exit 2), like a bad option. */
function readUserFile(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(
      `cannot read ${what} ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`,
    );
  }
}

async function warm(opts: Options, files: string[], variablesFile: string | undefined): Promise<number> {
  let variables: Record<string, unknown> = {};
  if (variablesFile) {
    try {
      variables = JSON.parse(readUserFile(variablesFile, 'the variables file'));
    } catch (err) {
      if (err instanceof UsageError) throw err;
      throw new UsageError(`the variables file ${variablesFile} is not JSON: ${(err as Error).message}`);
    }
  }
  const jobs: { file: string; text: string; name: string; variables: Record<string, unknown> }[] = [];
  const skipped: string[] = [];
  for (const file of files) {
    const text = readUserFile(file, 'the operations file');
    const doc = parse(text);
    for (const def of doc.definitions) {
      if (def.kind !== Kind.OPERATION_DEFINITION) continue;
      if (!def.name) throw new UsageError(`${file}: every operation needs a name to be warmed`);
      if (def.operation !== 'query') {
        skipped.push(`${def.name.value} (a ${def.operation})`);
        continue;
      }
      const given = variables[def.name.value];
      const sets = (Array.isArray(given) ? given : [given ?? {}]) as Record<string, unknown>[];
      const missing = requiredVariables(def).filter((n) => sets.some((s) => s[n] === undefined));
      if (missing.length) {
        skipped.push(`${def.name.value} (needs ${missing.map((n) => `$${n}`).join(', ')}; give them with --variables)`);
        continue;
      }
      for (const set of sets) jobs.push({ file, text, name: def.name.value, variables: set });
    }
  }

  // Without CACHE_DEBUG the answers carry no extensions.cache: the stats before and after tell instead.
  const before = opts.token
    ? await request(opts, adminOperations.counts).then(
        (d) => d.cacheStats,
        () => undefined,
      )
    : undefined;
  const runs: WarmRun[] = [];
  const bar = progressBar(jobs.length);
  for (const job of jobs) {
    runs.push(await warmOne(opts, job));
    bar.tick(job.name);
  }
  bar.done();

  // extensions.cache is there only when the gateway runs with CACHE_DEBUG; x-cache is always there, so it says nothing about debug.
  const debugged = runs.some((r) => r.debugged);
  let hits = runs.reduce((a, r) => a + r.hits + (r.response === 'HIT' ? 1 : 0), 0);
  let misses = runs.reduce((a, r) => a + r.misses, 0);
  let source = 'extensions.cache';
  if (!debugged) {
    const after = before
      ? await request(opts, adminOperations.counts).then(
          (d) => d.cacheStats,
          () => undefined,
        )
      : undefined;
    if (before && after) {
      hits = after.hits - before.hits;
      misses = after.misses - before.misses;
      source = 'cacheStats before and after (the whole deployment, other traffic included)';
    } else if (runs.some((r) => r.response)) {
      hits = runs.filter((r) => r.response === 'HIT').length;
      misses = runs.filter((r) => r.response === 'MISS').length;
      source = 'x-cache headers (whole responses only; pass an admin --token, or turn CACHE_DEBUG on, for field counts)';
    } else source = 'unknown: turn CACHE_DEBUG on, or pass an admin --token to compare cacheStats';
  }
  const failed = runs.filter((r) => !r.ok);
  if (opts.json) return print({ operations: runs.length, failed: failed.length, hits, misses, source, skipped, runs }, failed.length ? 1 : 0);
  for (const r of failed) process.stdout.write(`error   ${r.operation} (${r.file}): ${r.error}\n`);
  for (const s of skipped) process.stdout.write(`skipped ${s}\n`);
  process.stdout.write(`warmed ${runs.length - failed.length}/${runs.length} operation(s): ${hits} hit(s), ${misses} miss(es) — from ${source}\n`);
  return failed.length ? 1 : 0;
}

async function warmOne(opts: Options, job: { file: string; text: string; name: string; variables: Record<string, unknown> }): Promise<WarmRun> {
  const run: WarmRun = { operation: job.name, file: job.file, ok: false, hits: 0, misses: 0, debugged: false };
  try {
    const res = await post(opts, { query: job.text, operationName: job.name, variables: job.variables });
    const body = res.body;
    if (body.errors?.length) run.error = body.errors.map((e) => e.message).join('; ');
    else run.ok = true;
    run.debugged = body.extensions?.cache !== undefined;
    for (const f of Object.values(body.extensions?.cache?.fields ?? {})) {
      run.hits += f.hits;
      run.misses += f.misses;
    }
    const verdict = body.extensions?.cache?.response ?? res.xCache;
    if (verdict === 'HIT' || verdict === 'MISS') run.response = verdict;
  } catch (err) {
    run.error = (err as Error).message;
  }
  return run;
}

function requiredVariables(def: OperationDefinitionNode): string[] {
  return (def.variableDefinitions ?? []).filter((v) => v.type.kind === Kind.NON_NULL_TYPE && !v.defaultValue).map((v) => v.variable.name.value);
}

/** A one-line bar on stderr when it is a terminal; nothing otherwise (pipes and CI logs stay clean). */
function progressBar(total: number) {
  const live = Boolean(process.stderr.isTTY) && total > 0;
  let done = 0;
  const draw = (label: string) => {
    const width = 30;
    const filled = Math.round((done / total) * width);
    process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${label.slice(0, 40).padEnd(40)}`);
  };
  if (live) draw('');
  return {
    tick(label: string) {
      done++;
      if (live) draw(label);
    },
    done() {
      if (live) process.stderr.write('\n');
    },
  };
}

async function post(opts: Options, body: unknown): Promise<{ status: number; body: GraphQLResponse; xCache?: string }> {
  let res: Response;
  try {
    res = await fetch(opts.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) },
      body: JSON.stringify(body),
    });
  } catch (err) {
    throw new GatewayError(`cannot reach ${opts.url}: ${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message}`);
  }
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) as GraphQLResponse, xCache: res.headers.get('x-cache') ?? undefined };
  } catch {
    throw new GatewayError(`${opts.url} answered ${res.status} with something that is not JSON: ${text.slice(0, 200)}`);
  }
}

/** Sends one operation; throws GatewayError with the errors' messages and codes. */
async function request(opts: Options, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const { body } = await post(opts, { query, variables });
  if (body.errors?.length) {
    const text = body.errors.map((e) => `${e.message}${e.extensions?.code ? ` (${e.extensions.code})` : ''}`).join('; ');
    const hint = body.errors.some((e) => e.extensions?.code === 'UNAUTHENTICATED' || e.extensions?.code === 'FORBIDDEN')
      ? '\nhint: pass an admin token with --token or CACHEGATE_TOKEN (npm run token -- --user you --role admin)'
      : '';
    throw new GatewayError(`${text}${hint}`);
  }
  return body.data;
}

function print(value: unknown, code = 0): number {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  return code;
}

const percent = (r: number) => `${(r * 100).toFixed(1)} %`;
/** Seconds as an operator reads them: 42 s, 17 min, 3.5 h, 2.1 d. */
function duration(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} d`;
}
const ms = (v: number | null) => (v === null || v === undefined ? '–' : v.toFixed(2));

function table(head: string[], rows: (string | number)[][]): string {
  const cells = [head, ...rows].map((r) => r.map(String));
  const widths = head.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  return cells.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')).join('\n');
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`cachegate: ${err instanceof Error ? err.message : String(err)}\n`);
    // parseArgs refuses unknown options with ERR_PARSE_ARGS_*: a usage error too.
    const usage = err instanceof UsageError || String((err as { code?: unknown })?.code ?? '').startsWith('ERR_PARSE_ARGS');
    if (usage) process.stderr.write('run cachegate --help for usage\n');
    process.exitCode = usage ? 2 : 1;
  },
);

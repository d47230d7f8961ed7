// A normal client's latency while an attacker loops the most expensive query the limits allow,
// against the same client alone, side by side in one run (target: p99 under attack <= 2x alone).
// Rerun: npm run bench:abuse  (or, after npm run build: node -r @swc-node/register bench/abuse.bench.ts [seconds per phase] [attacker connections])
//
// The gateway as production runs it: a process of its own (the built dist/, NODE_ENV=production,
// its default limits QUERY_MAX_*, RATE_LIMIT_*), on PostgreSQL (a schema of its own in
// TEST_DATABASE_URL's database) and a redis-server of its own, with flights-200k and cars
// uploaded. This process only makes the load, so the clients' work stays off the gateway's event
// loop. Phases, each as long as the first argument (default 8 s):
//   1. alone:        the normal client (a user) reads its dashboard query, one request at a time;
//   2. under attack: the same, while an anonymous attacker on N connections (default 4) loops 30
//                    aliases of `visualization` on flights-200k (the alias limit), with fresh bins
//                    and Cache-Control: no-cache so every one is computed, ignoring 429s;
//   3. alone again:  so a machine that got busier during the run shows as drift, not as the attack.
// A second gateway process on the same database with RATE_LIMIT_POINTS=0 is attacked the same way,
// to show what the rate limit buys. Figures: median and p99 per phase, the ratios, and the
// attacker's requests answered 200 and 429.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { vegaDataPath } from '../src/domains/datasets/dataset.seed';
import { signToken } from '../src/server/auth';
import { openTestDatabase } from '../test/helpers/databases';
import { TEST_JWT_SECRET } from '../test/helpers/gateway';
import { type GatewayProcess, startGatewayProcess } from '../test/helpers/gateway-process';
import { fmt, median, OwnRedis, percentile, postJson } from './support';

const SECONDS = Number(process.argv[2] ?? 8);
const ATTACKERS = Number(process.argv[3] ?? 4);
const NORMAL = 'query Dashboard($id: ID!) { dataset(id: $id) { name rowCount statistics { column mean std } } }';

/** The most expensive document the default limits let through: QUERY_MAX_ALIASES (30) visualizations on the largest dataset. */
function attack(id: string, round: number): { query: string } {
  const fields = Array.from(
    { length: 30 },
    (_, i) => `v${i}: visualization(kind: HISTOGRAM, column: "delay", bins: ${((round * 30 + i) % 199) + 2}) { kind }`,
  );
  return { query: `{ dataset(id: "${id}") { ${fields.join(' ')} } }` };
}

async function post(url: string, body: unknown, headers: Record<string, string>): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  return { status: res.status, ms: performance.now() - started };
}

async function normalClient(url: string, token: string, id: string, until: number): Promise<number[]> {
  const times: number[] = [];
  const body = { query: NORMAL, variables: { id }, operationName: 'Dashboard' };
  while (Date.now() < until) {
    const r = await post(url, body, { authorization: `Bearer ${token}` });
    if (r.status !== 200) throw new Error(`the normal client was refused: ${r.status}`);
    times.push(r.ms);
  }
  return times;
}

async function attacker(
  url: string,
  id: string,
  until: number,
  counts: { ok: number; limited: number; other: number },
  offset: number,
): Promise<void> {
  let round = offset * 1000;
  while (Date.now() < until) {
    const r = await post(url, attack(id, round++), { 'cache-control': 'no-cache' });
    if (r.status === 200) counts.ok++;
    else if (r.status === 429) counts.limited++;
    else counts.other++;
  }
}

interface Phase {
  label: string;
  times: number[];
  attacker?: { ok: number; limited: number; other: number };
}

async function phase(label: string, url: string, token: string, normalId: string, flightsId?: string): Promise<Phase> {
  const until = Date.now() + SECONDS * 1000;
  const counts = { ok: 0, limited: 0, other: 0 };
  let shown = '';
  const ticker = setInterval(() => {
    const left = Math.ceil((until - Date.now()) / 1000);
    const text = left > 0 ? `${left} s left` : 'waiting for the requests in flight';
    if (text !== shown) process.stderr.write(`\r${label}: ${text}          `);
    shown = text;
  }, 250);
  try {
    const attackers = flightsId ? Array.from({ length: ATTACKERS }, (_, i) => attacker(url, flightsId, until, counts, i)) : [];
    const [times] = await Promise.all([normalClient(url, token, normalId, until), ...attackers]);
    return { label, times, attacker: flightsId ? counts : undefined };
  } finally {
    clearInterval(ticker);
    process.stderr.write(`\r${label}: done            \n`);
  }
}

/** A vega-datasets file as CSV, uploaded by the admin (who owns it); returns its id. */
async function upload(url: string, admin: Record<string, string>, name: string, file: string): Promise<string> {
  const records: Record<string, unknown>[] = JSON.parse(readFileSync(vegaDataPath(file), 'utf8'));
  const names = Object.keys(records[0]);
  const cell = (v: unknown) => (v === null || v === undefined ? '' : /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
  const csv = [names.join(','), ...records.map((r) => names.map((n) => cell(r[n])).join(','))].join('\n');
  const r = await postJson(
    url,
    { query: 'mutation U($n: String!, $csv: String!) { createDataset(name: $n, csv: $csv) { id } }', variables: { n: name, csv } },
    admin,
  );
  return JSON.parse(r.text).data.createDataset.id;
}

async function main(): Promise<void> {
  const redis = await OwnRedis.start();
  const database = await openTestDatabase('postgres');
  const env = { NODE_ENV: 'production', DATABASE_URL: database.url!, REDIS_URL: redis.url };
  const gateways: GatewayProcess[] = [];
  try {
    // The first migrates the fresh schema.
    const limited = await startGatewayProcess({ ...env, REDIS_CACHE_PREFIX: 'bench-abuse' });
    gateways.push(limited);
    const open = await startGatewayProcess({ ...env, REDIS_CACHE_PREFIX: 'bench-abuse-open', RATE_LIMIT_POINTS: '0' });
    gateways.push(open);
    process.stderr.write(`gateways (pids ${limited.pid}, ${open.pid}); uploading flights-200k and cars…\n`);
    const admin = { authorization: `Bearer ${await signToken(TEST_JWT_SECRET, { id: 'bench-admin', role: 'admin' }, '1h')}` };
    const flights = await upload(limited.url, admin, 'flights-200k', 'flights-200k.json');
    const cars = await upload(limited.url, admin, 'cars', 'cars.json');
    const token = await signToken(TEST_JWT_SECRET, { id: 'normal-client', role: 'user' }, '1h');
    // Warm: the normal client's query is a hit from here on, on both gateways, and answered for
    // 2 s unmeasured first, so the first phase does not measure a JIT still warming up.
    for (const url of [limited.url, open.url]) await normalClient(url, token, cars, Date.now() + 2000);

    const phases: Phase[] = [];
    phases.push(await phase('alone', limited.url, token, cars));
    phases.push(await phase('under attack (rate limited)', limited.url, token, cars, flights));
    phases.push(await phase('alone again', limited.url, token, cars));
    phases.push(await phase('under attack, RATE_LIMIT_POINTS=0', open.url, token, cars, flights));

    const alone = percentile([...phases[0].times, ...phases[2].times], 99);
    const aloneMedian = median([...phases[0].times, ...phases[2].times]);
    console.log(`\nnormal client: the Dashboard query (a whole-response hit) as a user, one at a time; attacker: ${ATTACKERS} anonymous connections`);
    console.log(`looping 30 aliased histograms on flights-200k with no-cache; ${SECONDS} s per phase; uptime load: ${loadAverage()}\n`);
    console.log('| phase | requests | median ms | p99 ms | p99 / p99 alone | attacker 200 | attacker 429 |');
    console.log('|---|---:|---:|---:|---:|---:|---:|');
    for (const p of phases) {
      const p99 = percentile(p.times, 99);
      console.log(
        `| ${p.label} | ${p.times.length} | ${fmt(median(p.times), 2)} | ${fmt(p99, 2)} | ${fmt(p99 / alone, 2)} | ${p.attacker?.ok ?? ''} | ${p.attacker?.limited ?? ''} |`,
      );
    }
    const attacked = percentile(phases[1].times, 99);
    console.log(`\nalone (phases 1 and 3 together): median ${fmt(aloneMedian, 2)} ms, p99 ${fmt(alone, 2)} ms`);
    console.log(`under attack with the default rate limit: p99 ${fmt(attacked, 2)} ms = ${fmt(attacked / alone, 2)}x alone (target <= 2x)`);
    console.log('\nrerun: npm run bench:abuse -- [seconds per phase] [attacker connections]');
  } finally {
    await Promise.all(gateways.map((g) => g.stop()));
    await database.dispose();
    await redis.stop();
  }
}

function loadAverage(): string {
  return loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

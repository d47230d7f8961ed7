import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

// The built module (npm test builds first), in a plain node: a TypeScript loader's own
// allocations in the child would blur V8's decisions about the workload.
const BUILT = path.join(__dirname, '..', '..', 'dist', 'src', 'server', 'v8-tuning.js');

/**
 * Runs, in a fresh node, setPretenuring(enabled) and then a workload whose objects all outlive
 * young-generation GCs (what parked requests look like to V8); returns V8's pretenuring decisions.
 */
async function pretenuringDecisions(enabled: boolean): Promise<string[]> {
  const script = `
    require(${JSON.stringify(BUILT)}).setPretenuring(${enabled});
    function park(i) { return { i, parked: true }; }
    const kept = [];
    for (let i = 0; i < 2e6; i++) kept.push(park(i));
    process.stdout.write(String(kept.length));
  `;
  const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--trace-pretenuring-statistics', '-e', script], {
    maxBuffer: 64 * 1024 * 1024,
  });
  expect(stdout).toMatch(/2000000$/);
  return `${stdout}\n${stderr}`.split('\n').filter((l) => /=> tenure/.test(l));
}

describe('setPretenuring', () => {
  it('lets V8 pretenure a site whose objects survive when enabled', async () => {
    expect((await pretenuringDecisions(true)).length).toBeGreaterThan(0);
  }, 60_000);

  it('keeps V8 from pretenuring that same site when disabled (the gateway default)', async () => {
    expect(await pretenuringDecisions(false)).toEqual([]);
  }, 60_000);
});

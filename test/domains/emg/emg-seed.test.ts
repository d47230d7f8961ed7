import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { seedsOf } from '../../../src/domains';
import { DEMO_RECORDINGS, emgDataDir, seedEmgRecordings } from '../../../src/domains/emg/emg.seed';
import type { SeedContext } from '../../../src/db/seed';
import { EmgRecordingsAnalysisDocument, EmgRecordingsDocument } from '../../generated/graphql';
import { DATABASE_KINDS } from '../../helpers/databases';
import { startTestGateway, type TestGateway } from '../../helpers/gateway';
import { shortDemo, storedIds } from './helpers';

/** The .c3d files the first-start seed finds on this machine (none where the folder is missing). */
const realFiles = existsSync(emgDataDir()) ? readdirSync(emgDataDir()).filter((f) => f.toLowerCase().endsWith('.c3d')) : [];

describe.each(DATABASE_KINDS)('seeding EMG recordings at first start (%s)', (kind) => {
  let gw: TestGateway;
  let dir: string;
  const messages: string[] = [];
  let ctx: SeedContext;

  beforeAll(async () => {
    gw = await startTestGateway(kind);
    ctx = { db: gw.gateway.db, progress: (m) => messages.push(m) };
    dir = mkdtempSync(path.join(tmpdir(), 'cachegate-emg-seed-'));
  });
  afterAll(async () => {
    await gw?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  // The seed writes behind GraphQL's back (no mutation invalidates), so reads ask for fresh values.
  const listed = async () => {
    const res = await gw.gql(EmgRecordingsAnalysisDocument, { limit: 50 }, { headers: { 'cache-control': 'no-cache' } });
    expect(res.errors).toBeUndefined();
    return res.data!.emgRecordings;
  };

  it('stores the generated demo recordings without needing a data folder: 4 channels, 2 kHz, 60 s, fatiguing', async () => {
    messages.length = 0;
    await seedEmgRecordings(gw.gateway.services.emg, ctx, { dataDir: path.join(dir, 'missing') });
    const recordings = await listed();
    expect(recordings.map((r) => r.name).sort()).toEqual(['Demo: fatiguing leg muscles (seed 1)', 'Demo: fatiguing leg muscles (seed 2)']);
    for (const r of recordings) {
      expect(r.metadata).toMatchObject({ sampleRate: 2000, durationSeconds: 60, channelCount: 4 });
      expect(r.analysis!.channels).toHaveLength(4);
      for (const channel of r.analysis!.channels) expect(channel.fatigueSlope!).toBeLessThan(0);
    }
    expect(messages).toEqual([
      'EMG recording 1/2: Demo: fatiguing leg muscles (seed 1) (4 channels, 60 s)',
      'EMG recording 2/2: Demo: fatiguing leg muscles (seed 2) (4 channels, 60 s)',
    ]);
  });

  it('adds the C3D files of the data folder, skips what is stored and leaves out a file that does not parse', async () => {
    writeFileSync(path.join(dir, 'short demo.c3d'), await shortDemo(gw, 51));
    writeFileSync(path.join(dir, 'broken.C3D'), Buffer.from('not a c3d file at all'));
    writeFileSync(path.join(dir, 'notes.txt'), 'ignored');
    messages.length = 0;
    await seedEmgRecordings(gw.gateway.services.emg, ctx, { dataDir: dir });
    expect((await listed()).map((r) => r.name).sort()).toEqual([
      'Demo: fatiguing leg muscles (seed 1)',
      'Demo: fatiguing leg muscles (seed 2)',
      'short demo',
    ]);
    expect(messages).toEqual([
      'EMG recording 1/4: Demo: fatiguing leg muscles (seed 1) (already stored)',
      'EMG recording 2/4: Demo: fatiguing leg muscles (seed 2) (already stored)',
      expect.stringMatching(/^EMG recording 3\/4: broken skipped: C3D file is 21 bytes, shorter than the 512-byte header/),
      expect.stringMatching(/^EMG recording 4\/4: short demo \(0\.\d MB\)$/),
    ]);
  });

  it('is idempotent: a file already stored is skipped and nothing more is stored', async () => {
    const before = await storedIds(gw);
    messages.length = 0;
    // Without the demos, whose skipping the run above shows: they take a second to generate.
    await seedEmgRecordings(gw.gateway.services.emg, ctx, { dataDir: dir, demos: [] });
    expect(await storedIds(gw)).toEqual(before);
    expect(messages).toEqual([expect.stringMatching(/^EMG recording 1\/2: broken skipped/), 'EMG recording 2/2: short demo (already stored)']);
  });

  it("the gateway's first-start seed adds the demos and the C3D files of ../shared/data/emg when that folder exists", async () => {
    await gw.gateway.db.query('DELETE FROM emg_recording');
    const seed = seedsOf(gw.gateway.services).find((s) => s.name === 'emg-recordings');
    expect(seed).toBeDefined();
    await seed!.run(ctx);
    const res = await gw.gql(EmgRecordingsDocument, { limit: 500 });
    const names = res.data!.emgRecordings.map((r) => r.name).sort();
    expect(names).toEqual([...DEMO_RECORDINGS.map((d) => d.name), ...realFiles.map((f) => path.basename(f, path.extname(f)))].sort());
  });
});

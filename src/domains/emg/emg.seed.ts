import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { SeedContext } from '../../db/seed';
import { ClientError } from '../../lib/errors';
import { projectRoot } from '../../lib/paths';
import type { DemoRecordingOptions } from './demo';
import { contentId, type EmgService } from './emg.service';

/** The generated recordings stored at first start: four fatiguing leg muscles at 2 kHz for 60 s each. */
export const DEMO_RECORDINGS: ReadonlyArray<{ name: string; options: DemoRecordingOptions }> = [1, 2].map((seed) => ({
  name: `Demo: fatiguing leg muscles (seed ${seed})`,
  options: { seed, durationSeconds: 60, sampleRate: 2000, channels: 4 },
}));

/** Real C3D recordings are seeded from here when the folder exists (it is not part of the repository). */
export function emgDataDir(): string {
  return path.join(projectRoot(), '..', 'shared', 'data', 'emg');
}

export interface EmgSeedOptions {
  /** Folder of .c3d files to load as well, if it exists. Default emgDataDir(). */
  dataDir?: string;
  demos?: ReadonlyArray<{ name: string; options: DemoRecordingOptions }>;
}

/** Stores the demo recordings, then any C3D files of the data folder; recordings already stored are skipped. */
export async function seedEmgRecordings(emg: EmgService, ctx: SeedContext, options: EmgSeedOptions = {}): Promise<void> {
  const { dataDir = emgDataDir(), demos = DEMO_RECORDINGS } = options;
  const files = existsSync(dataDir) ? (await readdir(dataDir)).filter((f) => f.toLowerCase().endsWith('.c3d')).sort() : [];
  const total = demos.length + files.length;
  let step = 0;
  const report = (message: string) => ctx.progress(`EMG recording ${++step}/${total}: ${message}`);

  for (const { name, options: demo } of demos) {
    const bytes = await emg.demoRecording(demo);
    if (await emg.exists(await contentId(bytes))) {
      report(`${name} (already stored)`);
      continue;
    }
    await emg.store(name, 'C3D', bytes);
    report(`${name} (${demo.channels ?? 4} channels, ${demo.durationSeconds ?? 60} s)`);
  }

  for (const file of files) {
    const bytes = await readFile(path.join(dataDir, file));
    const name = path.basename(file, path.extname(file));
    if (await emg.exists(await contentId(bytes))) {
      report(`${name} (already stored)`);
      continue;
    }
    try {
      await emg.store(name, 'C3D', bytes);
      report(`${name} (${(bytes.byteLength / 1024 / 1024).toFixed(1)} MB)`);
    } catch (err) {
      // A file the reader refuses is left out; the seed (and the gateway's start) goes on.
      if (!(err instanceof ClientError)) throw err;
      report(`${name} skipped: ${err.message}`);
    }
  }
}

/**
 * EMG compute benchmark: analysis time for a three-minute, four-channel, 2 kHz recording
 * and C3D parse throughput. Run: npx tsx bench/emg.bench.ts
 * Environment: EMG_BENCH_RUNS (timed runs per measurement, default 7), EMG_DATA_DIR
 * (real .c3d files to include in the parse figures, default ../shared/data/emg).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readC3d } from '../src/domains/emg/c3d/reader';
import { writeC3d } from '../test/helpers/c3d-writer';
import { generateDemoRecording } from '../src/domains/emg/demo';
import { parseRecording } from '../src/domains/emg/parse-recording';
import { analyzeRecording } from '../src/domains/emg/signal/analyze';

const RUNS = Number(process.env.EMG_BENCH_RUNS ?? 7);
const DATA_DIR = process.env.EMG_DATA_DIR ?? path.resolve(__dirname, '../../shared/data/emg');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** One untimed warm-up run, then RUNS timed runs; returns milliseconds per run. */
function time(label: string, fn: () => unknown): number[] {
  process.stdout.write(`  ${label}: warm-up`);
  fn();
  const ms: number[] = [];
  for (let i = 1; i <= RUNS; i++) {
    const start = performance.now();
    fn();
    ms.push(performance.now() - start);
    process.stdout.write(` · ${i}/${RUNS}`);
  }
  process.stdout.write('\n');
  return ms;
}

function summary(ms: number[]): string {
  return `median ${median(ms).toFixed(1)} ms (min ${Math.min(...ms).toFixed(1)}, max ${Math.max(...ms).toFixed(1)}, ${ms.length} runs)`;
}

function throughput(bytes: number, ms: number[]): string {
  const mbPerSecond = ms.map((m) => bytes / 1e6 / (m / 1000));
  return `median ${median(mbPerSecond).toFixed(0)} MB/s over ${(bytes / 1e6).toFixed(2)} MB (parse ${median(ms).toFixed(1)} ms, ${ms.length} runs)`;
}

function main(): void {
  console.log(
    `EMG benchmark · node ${process.version} · ${os.cpus()[0]?.model ?? 'unknown CPU'} × ${os.cpus().length} · load ${os.loadavg()[0].toFixed(2)}`,
  );

  console.log('1/3 generating a 180 s, 4-channel, 2000 Hz demo recording …');
  const demo = generateDemoRecording({ seed: 1, durationSeconds: 180, sampleRate: 2000, channels: 4 });
  const rec = parseRecording('C3D', demo);
  console.log(`  ${(demo.byteLength / 1e6).toFixed(2)} MB of C3D, ${rec.frameCount} samples × ${rec.channels.length} channels`);

  console.log('2/3 analysis (RMS, MAV, WL, ZC, peak, Welch mean/median frequency, fatigue slope)');
  const results: string[] = [];
  for (const windowMs of [250, 1000]) {
    const ms = time(`windowMs ${windowMs}`, () => analyzeRecording(rec, windowMs));
    results.push(`analysis, 180 s × 4 ch × 2 kHz, windowMs ${windowMs}: ${summary(ms)}`);
  }
  const endToEnd = time('parse + analysis', () => analyzeRecording(parseRecording('C3D', demo), 250));
  results.push(`parse + analysis (windowMs 250): ${summary(endToEnd)}`);

  console.log('3/3 C3D parse throughput');
  const int16 = writeC3d({ storage: 'int16', frameRate: 100, analogSamplesPerFrame: 20, analog: { labels: rec.channels, samples: rec.samples } });
  const dec = writeC3d({
    processor: 'DEC',
    storage: 'float',
    frameRate: 100,
    analogSamplesPerFrame: 20,
    analog: { labels: rec.channels, samples: rec.samples },
  });
  for (const [label, bytes] of [
    ['demo, Intel float', demo],
    ['demo, Intel int16', int16],
    ['demo, DEC float', dec],
  ] as const) {
    results.push(
      `C3D parse, ${label}: ${throughput(
        bytes.byteLength,
        time(label, () => readC3d(bytes)),
      )}`,
    );
  }
  const real = existsSync(DATA_DIR) ? readdirSync(DATA_DIR).filter((f) => f.toLowerCase().endsWith('.c3d')) : [];
  if (real.length > 0) {
    const files = real.map((f) => readFileSync(path.join(DATA_DIR, f)));
    const total = files.reduce((n, b) => n + b.byteLength, 0);
    results.push(
      `C3D parse, ${real.length} real recordings: ${throughput(
        total,
        time('real recordings', () => files.forEach((b) => readC3d(b))),
      )}`,
    );
  } else {
    results.push(`C3D parse, real recordings: skipped, ${DATA_DIR} not found`);
  }

  console.log('\nResults');
  for (const line of results) console.log(`  ${line}`);
  console.log('\nRerun: npx tsx bench/emg.bench.ts   (EMG_BENCH_RUNS=15 for more runs; figures depend on machine load)');
}

main();

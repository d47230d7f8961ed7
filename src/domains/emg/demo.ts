import { InputError } from '../../lib/errors';
import { writeC3d } from './c3d/writer';
import { SeededRandom } from './seeded-random';
import { BandPassFilter } from './signal/biquad';

export interface DemoRecordingOptions {
  seed: number;
  /** Default 60. */
  durationSeconds?: number;
  /** Samples per second per channel, an integer. Default 2000. */
  sampleRate?: number;
  /** Default 4. */
  channels?: number;
}

const MUSCLES = [
  'Vastus lateralis',
  'Rectus femoris',
  'Biceps femoris',
  'Gastrocnemius medialis',
  'Tibialis anterior',
  'Soleus',
  'Gluteus maximus',
  'Semitendinosus',
];

/** Median frequency at the end of the recording relative to its start, as in a fatiguing muscle. */
const END_FREQUENCY_RATIO = 0.7;
const RETUNE_EVERY_SECONDS = 0.01;
/** 3D frames per second at most, so a long recording stays within the header's 16-bit frame numbers. */
const MAX_FRAME_RATE = 200;

/**
 * A synthetic surface EMG recording as C3D bytes (float storage, Intel): repeated
 * contractions of band-limited noise whose centre frequency falls steadily and whose
 * amplitude grows, as a fatiguing muscle's does. The same options give the same bytes.
 */
export function generateDemoRecording(options: DemoRecordingOptions): Uint8Array {
  const { seed, durationSeconds = 60, sampleRate = 2000, channels = 4 } = options;
  check(Number.isSafeInteger(seed), `seed must be an integer, got ${seed}`);
  check(
    Number.isFinite(durationSeconds) && durationSeconds >= 1 && durationSeconds <= 3600,
    `durationSeconds must be from 1 to 3600, got ${durationSeconds}`,
  );
  check(
    Number.isInteger(sampleRate) && sampleRate >= 500 && sampleRate <= 20000,
    `sampleRate must be an integer from 500 to 20000 Hz, got ${sampleRate}`,
  );
  check(Number.isInteger(channels) && channels >= 1 && channels <= 64, `channels must be an integer from 1 to 64, got ${channels}`);

  const samplesPerFrame = smallestDivisorAtOrAbove(sampleRate, sampleRate / MAX_FRAME_RATE);
  const frameRate = sampleRate / samplesPerFrame;
  const length = Math.max(1, Math.round(durationSeconds * frameRate)) * samplesPerFrame;
  const random = new SeededRandom(seed);
  const labels = Array.from({ length: channels }, (_, c) => MUSCLES[c] ?? `EMG ${c + 1}`);
  const samples = labels.map(() => contractionSeries(random, length, sampleRate));
  return writeC3d({
    frameRate,
    analogSamplesPerFrame: samplesPerFrame,
    analog: { labels, samples },
    subject: `Demo subject ${seed}`,
  });
}

/** One channel in volts: contractions of about 2.5 s every 4 s, a faint floor of activity between. */
function contractionSeries(random: SeededRandom, length: number, sampleRate: number): Float64Array {
  const startCentreHz = random.between(95, 130);
  const peakVolts = random.between(0.3e-3, 1e-3);
  const periodSeconds = random.between(3.5, 4.5);
  const phaseSeconds = random.between(0, periodSeconds);
  // Two cascaded sections give steeper skirts than one, closer to a real EMG spectrum.
  const filters = [new BandPassFilter(sampleRate, 1, startCentreHz), new BandPassFilter(sampleRate, 1, startCentreHz)];
  const retuneEvery = Math.max(1, Math.round(RETUNE_EVERY_SECONDS * sampleRate));
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    const progress = i / length;
    if (i % retuneEvery === 0) {
      const centreHz = startCentreHz * (1 - (1 - END_FREQUENCY_RATIO) * progress);
      for (const f of filters) f.tune(centreHz);
    }
    const t = i / sampleRate + phaseSeconds;
    const envelope = 0.05 + 0.95 * burst((t % periodSeconds) / periodSeconds);
    const band = filters[1].process(filters[0].process(random.gaussian()));
    const sensorNoise = 2e-6 * random.gaussian();
    out[i] = peakVolts * (1 + 0.3 * progress) * envelope * band + sensorNoise;
  }
  return out;
}

/** 0 at rest, 1 while contracting, with raised-cosine ramps; `phase` runs over [0, 1). */
function burst(phase: number): number {
  const on = 0.6;
  const ramp = 0.08;
  if (phase >= on) return 0;
  if (phase < ramp) return 0.5 - 0.5 * Math.cos((Math.PI * phase) / ramp);
  if (phase > on - ramp) return 0.5 - 0.5 * Math.cos((Math.PI * (on - phase)) / ramp);
  return 1;
}

function smallestDivisorAtOrAbove(n: number, atLeast: number): number {
  for (let d = Math.max(1, Math.ceil(atLeast)); d < n; d++) if (n % d === 0) return d;
  return n;
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new InputError(`demo recording: ${message}`);
}

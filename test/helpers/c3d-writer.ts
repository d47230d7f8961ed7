import { BLOCK_BYTES } from '../../src/domains/emg/c3d/header';
import type { SampleStorage } from '../../src/domains/emg/c3d/layout';
import { numberCodecFor, type ProcessorType } from '../../src/domains/emg/c3d/processor';
import {
  type C3dGroupSpec,
  checkedFrameCount,
  continuedParameters,
  framesParameter,
  layOutParameterSection,
  MAX_ENTRIES_PER_PARAMETER,
  MAX_HEADER_FRAME,
  subjectsGroup,
  trialGroup,
  writeHeader,
} from '../../src/domains/emg/c3d/writer';

export type { C3dGroupSpec, C3dParameterSpec } from '../../src/domains/emg/c3d/writer';

/**
 * A C3D writer for every shape the reader must accept: the three processor types, integer
 * samples with their calibration, 3D points to skip, frame numbers past the header's, long
 * label lists and extra or replaced parameters. The gateway writes one shape only (its demo
 * recordings, src/domains/emg/c3d/writer.ts); this one is built on the same encoders.
 */

export interface C3dWriteOptions {
  /** Number format of the whole file. Default INTEL. */
  processor?: ProcessorType;
  /** How points and analog samples are stored. Default float. */
  storage?: SampleStorage;
  /** 3D frames per second (POINT:RATE); the analog rate is this × analogSamplesPerFrame. */
  frameRate: number;
  /** Analog samples per channel in each frame. Default 1. */
  analogSamplesPerFrame?: number;
  analog: {
    labels: string[];
    /** Real values, one array per channel, each frames × analogSamplesPerFrame long. */
    samples: ArrayLike<number>[];
    /** ANALOG:SCALE. Default 1 for float storage, else the channel's peak / 32767 so it fits. */
    scale?: number[];
    /** ANALOG:OFFSET. Default 0, or 32768 for UNSIGNED integers. */
    offset?: number[];
    /** ANALOG:GEN_SCALE. Default 1. */
    generalScale?: number;
    /** ANALOG:FORMAT for integer storage. Default SIGNED. */
    format?: 'SIGNED' | 'UNSIGNED';
    /** ANALOG:BITS. Default 16. */
    bits?: number;
  };
  /** Point labels; each point gets four words of recognisable filler per frame. Default none. */
  pointLabels?: string[];
  /** Written to SUBJECTS:NAMES. */
  subject?: string | null;
  /** Entries per LABELS/SCALE/OFFSET parameter before continuing in LABELS2 …; C3D's limit is 255. */
  labelsPerParameter?: number;
  /** Default 1. */
  firstFrame?: number;
  /** Groups added to the standard ones; a parameter with a standard name replaces it. */
  extraGroups?: C3dGroupSpec[];
}

/** Writes a complete C3D file: header, parameter section and data. */
export function writeC3d(options: C3dWriteOptions): Uint8Array {
  const processor = options.processor ?? 'INTEL';
  const codec = numberCodecFor(processor);
  const storage = options.storage ?? 'float';
  const perFrame = options.analogSamplesPerFrame ?? 1;
  const { labels, samples } = options.analog;
  const channels = labels.length;
  const pointLabels = options.pointLabels ?? [];
  const frameCount = checkedFrameCount(labels, samples, perFrame);
  const firstFrame = options.firstFrame ?? 1;
  const lastFrame = firstFrame + frameCount - 1;

  const unsigned = options.analog.format === 'UNSIGNED';
  const generalScale = Math.fround(options.analog.generalScale ?? 1);
  const scales = (options.analog.scale ?? samples.map((s) => defaultScale(s, storage))).map(Math.fround);
  const offsets = options.analog.offset ?? new Array<number>(channels).fill(storage === 'int16' && unsigned ? 32768 : 0);
  const pointScale = storage === 'float' ? -1 : 0.1;

  const groupsFor = (dataStartBlock: number) =>
    mergeGroups(
      standardGroups({
        options,
        frameCount,
        firstFrame,
        lastFrame,
        perFrame,
        scales,
        offsets,
        generalScale,
        pointScale,
        pointLabels,
        dataStartBlock,
      }),
      options.extraGroups ?? [],
    );
  const { section, dataStartBlock } = layOutParameterSection(groupsFor, processor);

  const wordBytes = storage === 'float' ? 4 : 2;
  const bytesPerFrame = (pointLabels.length * 4 + channels * perFrame) * wordBytes;
  const dataStart = (dataStartBlock - 1) * BLOCK_BYTES;
  const out = new Uint8Array(dataStart + frameCount * bytesPerFrame);
  const view = new DataView(out.buffer);
  writeHeader(view, codec, {
    parameterBlock: 2,
    pointCount: pointLabels.length,
    analogPerFrame: channels * perFrame,
    firstFrame,
    lastFrame,
    scale: pointScale,
    dataStartBlock,
    analogSamplesPerFrame: perFrame,
    frameRate: options.frameRate,
  });
  out.set(section, BLOCK_BYTES);

  const writeWord = storage === 'float' ? codec.writeFloat32 : unsigned ? codec.writeUint16 : codec.writeInt16;
  const factors = scales.map((s) => s * generalScale);
  const [min, max] = unsigned ? [0, 0xffff] : [-0x8000, 0x7fff];
  const toStored =
    storage === 'float'
      ? (value: number, c: number) => value / factors[c] + offsets[c]
      : (value: number, c: number) => {
          const raw = Math.round(value / factors[c] + offsets[c]);
          if (!(raw >= min && raw <= max))
            throw new RangeError(`channel ${labels[c]} value ${value} stores as ${raw}, outside ${min}..${max}; adjust its scale or offset`);
          return raw;
        };
  let at = dataStart;
  for (let frame = 0; frame < frameCount; frame++) {
    for (let p = 0; p < pointLabels.length; p++) {
      for (const filler of pointFiller(frame, p, storage)) {
        writeWord(view, at, filler);
        at += wordBytes;
      }
    }
    for (let s = 0; s < perFrame; s++) {
      for (let c = 0; c < channels; c++) {
        writeWord(view, at, toStored(samples[c][frame * perFrame + s], c));
        at += wordBytes;
      }
    }
  }
  return out;
}

/** Distinct values per frame and point, so a reader that mis-skips points reads garbage. */
function pointFiller(frame: number, point: number, storage: SampleStorage): number[] {
  return storage === 'float' ? [frame + 0.5, point + 1000, -1234.5, 0] : [frame % 30000, point + 1000, -1234, 0];
}

function defaultScale(samples: ArrayLike<number>, storage: SampleStorage): number {
  if (storage === 'float') return 1;
  let peak = 0;
  for (let i = 0; i < samples.length; i++) peak = Math.max(peak, Math.abs(samples[i]));
  return peak > 0 ? peak / 32000 : 1;
}

interface StandardGroupInput {
  options: C3dWriteOptions;
  frameCount: number;
  firstFrame: number;
  lastFrame: number;
  perFrame: number;
  scales: number[];
  offsets: number[];
  generalScale: number;
  pointScale: number;
  pointLabels: string[];
  dataStartBlock: number;
}

function standardGroups(input: StandardGroupInput): C3dGroupSpec[] {
  const { options, frameCount, perFrame, pointLabels } = input;
  const chunk = options.labelsPerParameter ?? MAX_ENTRIES_PER_PARAMETER;
  const analog = options.analog;
  const groups: C3dGroupSpec[] = [
    {
      name: 'POINT',
      description: '3D point parameters',
      parameters: [
        { name: 'USED', type: 'int16', values: [pointLabels.length] },
        { name: 'SCALE', type: 'float', values: [input.pointScale] },
        { name: 'RATE', type: 'float', values: [options.frameRate] },
        { name: 'DATA_START', type: 'int16', values: [input.dataStartBlock] },
        framesParameter(frameCount),
        ...continuedParameters('LABELS', 'char', pointLabels, chunk),
      ],
    },
    {
      name: 'ANALOG',
      description: 'Analog data parameters',
      parameters: [
        { name: 'USED', type: 'int16', values: [analog.labels.length] },
        ...continuedParameters('LABELS', 'char', analog.labels, chunk),
        ...continuedParameters('SCALE', 'float', input.scales, chunk),
        { name: 'GEN_SCALE', type: 'float', values: [input.generalScale] },
        // OFFSET is int16; an unsigned offset like 32768 is stored as its 16-bit pattern.
        ...continuedParameters(
          'OFFSET',
          'int16',
          input.offsets.map((o) => (o > 0x7fff ? o - 0x10000 : o)),
          chunk,
        ),
        { name: 'RATE', type: 'float', values: [options.frameRate * perFrame] },
        { name: 'FORMAT', type: 'char', values: [analog.format ?? 'SIGNED'] },
        { name: 'BITS', type: 'int16', values: [analog.bits ?? 16] },
      ],
    },
  ];
  if (options.subject) groups.push(subjectsGroup(options.subject));
  if (input.lastFrame > MAX_HEADER_FRAME) groups.push(trialGroup(input.firstFrame, input.lastFrame));
  return groups;
}

function mergeGroups(standard: C3dGroupSpec[], extra: C3dGroupSpec[]): C3dGroupSpec[] {
  const groups = standard.map((g) => ({ ...g, parameters: [...g.parameters] }));
  for (const e of extra) {
    const existing = groups.find((g) => g.name.toUpperCase() === e.name.toUpperCase());
    if (!existing) {
      groups.push({ ...e, parameters: [...e.parameters] });
      continue;
    }
    for (const p of e.parameters) {
      const i = existing.parameters.findIndex((q) => q.name.toUpperCase() === p.name.toUpperCase());
      if (i >= 0) existing.parameters[i] = p;
      else existing.parameters.push(p);
    }
  }
  return groups;
}

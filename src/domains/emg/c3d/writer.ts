import { BLOCK_BYTES, C3D_MAGIC, HEADER_OFFSET } from './header';
import type { SampleStorage } from './layout';
import { PARAMETER_TYPE_CODE, type ParameterType } from './parameters';
import { numberCodecFor, PROCESSOR_TYPE_BYTE, type NumberCodec, type ProcessorType } from './processor';

export interface C3dParameterSpec {
  name: string;
  type: ParameterType;
  /** Derived when omitted: a scalar for one number, [n] for n numbers, [longest, count] for strings. */
  dimensions?: number[];
  values: number[] | string[];
  locked?: boolean;
  description?: string;
}

export interface C3dGroupSpec {
  name: string;
  description?: string;
  locked?: boolean;
  parameters: C3dParameterSpec[];
}

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

const MAX_HEADER_FRAME = 0xffff;

/** Writes a complete C3D file: header, parameter section and data. */
export function writeC3d(options: C3dWriteOptions): Uint8Array {
  const processor = options.processor ?? 'INTEL';
  const codec = numberCodecFor(processor);
  const storage = options.storage ?? 'float';
  const perFrame = options.analogSamplesPerFrame ?? 1;
  const { labels, samples } = options.analog;
  const channels = labels.length;
  const pointLabels = options.pointLabels ?? [];
  if (channels < 1 || samples.length !== channels) throw new Error(`writeC3d needs one sample array per label; got ${channels} labels and ${samples.length} arrays`);
  if (!Number.isInteger(perFrame) || perFrame < 1) throw new Error(`analogSamplesPerFrame must be a positive integer, got ${perFrame}`);
  const sampleCount = samples[0].length;
  if (samples.some((s) => s.length !== sampleCount) || sampleCount % perFrame !== 0) {
    throw new Error(`every channel needs the same number of samples, a multiple of ${perFrame} (analogSamplesPerFrame)`);
  }
  const frameCount = sampleCount / perFrame;
  const firstFrame = options.firstFrame ?? 1;
  const lastFrame = firstFrame + frameCount - 1;

  const unsigned = options.analog.format === 'UNSIGNED';
  const generalScale = Math.fround(options.analog.generalScale ?? 1);
  const scales = (options.analog.scale ?? samples.map((s) => defaultScale(s, storage))).map(Math.fround);
  const offsets = options.analog.offset ?? new Array<number>(channels).fill(storage === 'int16' && unsigned ? 32768 : 0);
  const pointScale = storage === 'float' ? -1 : 0.1;

  const groupsFor = (dataStartBlock: number) =>
    mergeGroups(
      standardGroups({ options, frameCount, firstFrame, lastFrame, perFrame, scales, offsets, generalScale, pointScale, pointLabels, dataStartBlock }),
      options.extraGroups ?? [],
    );
  // DATA_START depends on the section's size, which does not depend on DATA_START's value.
  const sectionBlocks = encodeParameterSection(groupsFor(0), codec, processor).byteLength / BLOCK_BYTES;
  const dataStartBlock = 2 + sectionBlocks;
  const section = encodeParameterSection(groupsFor(dataStartBlock), codec, processor);

  const wordBytes = storage === 'float' ? 4 : 2;
  const bytesPerFrame = (pointLabels.length * 4 + channels * perFrame) * wordBytes;
  const dataStart = (dataStartBlock - 1) * BLOCK_BYTES;
  const out = new Uint8Array(dataStart + frameCount * bytesPerFrame);
  const view = new DataView(out.buffer);

  out[HEADER_OFFSET.parameterBlock] = 2;
  out[HEADER_OFFSET.magic] = C3D_MAGIC;
  codec.writeUint16(view, HEADER_OFFSET.pointCount, pointLabels.length);
  codec.writeUint16(view, HEADER_OFFSET.analogPerFrame, channels * perFrame);
  codec.writeUint16(view, HEADER_OFFSET.firstFrame, Math.min(firstFrame, MAX_HEADER_FRAME));
  codec.writeUint16(view, HEADER_OFFSET.lastFrame, Math.min(lastFrame, MAX_HEADER_FRAME));
  codec.writeFloat32(view, HEADER_OFFSET.scale, pointScale);
  codec.writeUint16(view, HEADER_OFFSET.dataStartBlock, dataStartBlock);
  codec.writeUint16(view, HEADER_OFFSET.analogSamplesPerFrame, perFrame);
  codec.writeFloat32(view, HEADER_OFFSET.frameRate, options.frameRate);
  out.set(section, BLOCK_BYTES);

  const writeWord = storage === 'float' ? codec.writeFloat32 : unsigned ? codec.writeUint16 : codec.writeInt16;
  const factors = scales.map((s) => s * generalScale);
  const [min, max] = unsigned ? [0, 0xffff] : [-0x8000, 0x7fff];
  const toStored =
    storage === 'float'
      ? (value: number, c: number) => value / factors[c] + offsets[c]
      : (value: number, c: number) => {
          const raw = Math.round(value / factors[c] + offsets[c]);
          if (!(raw >= min && raw <= max)) throw new RangeError(`channel ${labels[c]} value ${value} stores as ${raw}, outside ${min}..${max}; adjust its scale or offset`);
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
  const chunk = options.labelsPerParameter ?? 255;
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
        // int16 stops at 32767; longer files rely on TRIAL below, so FRAMES goes to float.
        frameCount <= 0x7fff ? { name: 'FRAMES', type: 'int16', values: [frameCount] } : { name: 'FRAMES', type: 'float', values: [frameCount] },
        ...continued('LABELS', 'char', pointLabels, chunk),
      ],
    },
    {
      name: 'ANALOG',
      description: 'Analog data parameters',
      parameters: [
        { name: 'USED', type: 'int16', values: [analog.labels.length] },
        ...continued('LABELS', 'char', analog.labels, chunk),
        ...continued('SCALE', 'float', input.scales, chunk),
        { name: 'GEN_SCALE', type: 'float', values: [input.generalScale] },
        // OFFSET is int16; an unsigned offset like 32768 is stored as its 16-bit pattern.
        ...continued('OFFSET', 'int16', input.offsets.map((o) => (o > 0x7fff ? o - 0x10000 : o)), chunk),
        { name: 'RATE', type: 'float', values: [options.frameRate * perFrame] },
        { name: 'FORMAT', type: 'char', values: [analog.format ?? 'SIGNED'] },
        { name: 'BITS', type: 'int16', values: [analog.bits ?? 16] },
      ],
    },
  ];
  if (options.subject) {
    groups.push({
      name: 'SUBJECTS',
      description: 'Subject information',
      parameters: [
        { name: 'USED', type: 'int16', values: [1] },
        { name: 'NAMES', type: 'char', values: [options.subject] },
      ],
    });
  }
  if (input.lastFrame > MAX_HEADER_FRAME) {
    const words = (n: number) => [n & 0xffff, Math.floor(n / 0x10000)].map((w) => (w > 0x7fff ? w - 0x10000 : w));
    groups.push({
      name: 'TRIAL',
      description: 'Frame range beyond the header limit',
      parameters: [
        { name: 'ACTUAL_START_FIELD', type: 'int16', dimensions: [2], values: words(input.firstFrame) },
        { name: 'ACTUAL_END_FIELD', type: 'int16', dimensions: [2], values: words(input.lastFrame) },
      ],
    });
  }
  return groups;
}

/** NAME, NAME2, NAME3 … each holding at most `chunk` entries, as C3D continues long arrays. */
function continued(name: string, type: ParameterType, values: Array<string | number>, chunk: number): C3dParameterSpec[] {
  if (values.length === 0) return [{ name, type, dimensions: type === 'char' ? [0, 0] : [0], values: [] }];
  const specs: C3dParameterSpec[] = [];
  for (let i = 0; i * chunk < values.length; i++) {
    const part = values.slice(i * chunk, (i + 1) * chunk);
    const dimensions = type === 'char' ? [Math.max(1, ...part.map((v) => String(v).length)), part.length] : [part.length];
    specs.push({ name: i === 0 ? name : `${name}${i + 1}`, type, dimensions, values: part as number[] | string[] });
  }
  return specs;
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

/** Encodes the parameter section, padded to whole blocks; the last record's pointer is 0, ending the chain. */
export function encodeParameterSection(groups: C3dGroupSpec[], codec: NumberCodec, processor: ProcessorType): Uint8Array {
  const records: Array<{ name: string; id: number; locked: boolean; body: Uint8Array }> = [];
  groups.forEach((group, index) => {
    const id = index + 1;
    records.push({ name: group.name, id: -id, locked: group.locked ?? false, body: encodeGroupBody(group) });
    for (const p of group.parameters) records.push({ name: p.name, id, locked: p.locked ?? false, body: encodeParameterBody(p, codec) });
  });
  const encoded = records.map((r, i) => encodeRecord(r.name, r.id, r.locked, r.body, i === records.length - 1, codec));
  const recordBytes = encoded.reduce((n, r) => n + r.byteLength, 0);
  const blocks = Math.ceil((4 + recordBytes + 1) / BLOCK_BYTES);
  if (blocks > 255) throw new Error(`the parameters take ${blocks} blocks; a C3D parameter section holds at most 255`);
  const out = new Uint8Array(blocks * BLOCK_BYTES);
  out[0] = 1;
  out[1] = C3D_MAGIC;
  out[2] = blocks;
  out[3] = PROCESSOR_TYPE_BYTE[processor];
  let at = 4;
  for (const r of encoded) {
    out.set(r, at);
    at += r.byteLength;
  }
  return out;
}

function encodeRecord(name: string, id: number, locked: boolean, body: Uint8Array, last: boolean, codec: NumberCodec): Uint8Array {
  if (!/^[A-Z0-9_]{1,127}$/i.test(name)) throw new Error(`C3D names are 1 to 127 letters, digits or underscores; got "${name}"`);
  const pointer = body.byteLength + 2;
  if (pointer > 0x7fff) throw new Error(`parameter ${name} takes ${pointer} bytes; a C3D record holds at most 32767`);
  const out = new Uint8Array(2 + name.length + 2 + body.byteLength);
  const view = new DataView(out.buffer);
  view.setInt8(0, locked ? -name.length : name.length);
  view.setInt8(1, id);
  out.set(latin1(name.toUpperCase()), 2);
  codec.writeInt16(view, 2 + name.length, last ? 0 : pointer);
  out.set(body, 4 + name.length);
  return out;
}

function encodeGroupBody(group: C3dGroupSpec): Uint8Array {
  return withDescription(new Uint8Array(0), group.description ?? '');
}

function encodeParameterBody(p: C3dParameterSpec, codec: NumberCodec): Uint8Array {
  const dimensions = p.dimensions ?? defaultDimensions(p);
  if (dimensions.length > 255 || dimensions.some((d) => !Number.isInteger(d) || d < 0 || d > 255)) {
    throw new Error(`parameter ${p.name}: C3D dimensions are up to 255 sizes of 0..255, got [${dimensions.join(', ')}]`);
  }
  const data = p.type === 'char' ? encodeStrings(p, dimensions) : encodeNumbers(p, dimensions, codec);
  const head = new Uint8Array(2 + dimensions.length);
  new DataView(head.buffer).setInt8(0, PARAMETER_TYPE_CODE[p.type]);
  head[1] = dimensions.length;
  head.set(dimensions, 2);
  return withDescription(concat(head, data), p.description ?? '');
}

function defaultDimensions(p: C3dParameterSpec): number[] {
  if (p.type === 'char') {
    const strings = p.values as string[];
    const longest = Math.max(0, ...strings.map((s) => s.length));
    return strings.length === 1 ? [longest] : [longest, strings.length];
  }
  return p.values.length === 1 ? [] : [p.values.length];
}

function encodeStrings(p: C3dParameterSpec, dimensions: number[]): Uint8Array {
  const length = dimensions.length === 0 ? 1 : dimensions[0];
  const count = dimensions.slice(1).reduce((n, d) => n * d, 1);
  const strings = p.values as string[];
  if (strings.length !== count || strings.some((s) => s.length > length)) {
    throw new Error(`parameter ${p.name}: dimensions [${dimensions.join(', ')}] hold ${count} strings of at most ${length} characters`);
  }
  return latin1(strings.map((s) => s.padEnd(length, ' ')).join(''));
}

function encodeNumbers(p: C3dParameterSpec, dimensions: number[], codec: NumberCodec): Uint8Array {
  const values = p.values as number[];
  const count = dimensions.reduce((n, d) => n * d, 1);
  if (values.length !== count) throw new Error(`parameter ${p.name}: dimensions [${dimensions.join(', ')}] hold ${count} values, got ${values.length}`);
  const size = Math.abs(PARAMETER_TYPE_CODE[p.type]);
  const out = new Uint8Array(count * size);
  const view = new DataView(out.buffer);
  const [min, max] = p.type === 'byte' ? [-0x80, 0x7f] : p.type === 'int16' ? [-0x8000, 0x7fff] : [-Infinity, Infinity];
  values.forEach((v, i) => {
    if (p.type !== 'float' && !(Number.isInteger(v) && v >= min && v <= max)) throw new Error(`parameter ${p.name}: ${v} is not a ${p.type} (${min}..${max})`);
    if (p.type === 'byte') view.setInt8(i, v);
    else if (p.type === 'int16') codec.writeInt16(view, i * 2, v);
    else codec.writeFloat32(view, i * 4, v);
  });
  return out;
}

function withDescription(body: Uint8Array, description: string): Uint8Array {
  if (description.length > 255) throw new Error(`C3D descriptions hold at most 255 characters: "${description.slice(0, 40)}…"`);
  return concat(body, Uint8Array.of(description.length), latin1(description));
}

function latin1(text: string): Uint8Array {
  return Uint8Array.from(text, (ch) => ch.charCodeAt(0) & 0xff);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

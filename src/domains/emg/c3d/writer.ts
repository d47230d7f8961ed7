import { BLOCK_BYTES, C3D_MAGIC, type C3dHeader, HEADER_OFFSET } from './header';
import { PARAMETER_TYPE_CODE, type ParameterType } from './parameters';
import { numberCodecFor, PROCESSOR_TYPE_BYTE, type NumberCodec, type ProcessorType } from './processor';

/**
 * Writes C3D files the way the gateway makes its demo recordings: analog channels only, Intel
 * numbers, float samples. The parameter and header encoders below are the format's, whatever a
 * file holds; test/helpers/c3d-writer.ts builds every other shape the reader must accept (other
 * processors, integer samples, 3D points, odd parameters) on them.
 */

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
  /** 3D frames per second (POINT:RATE); the analog rate is this × analogSamplesPerFrame. */
  frameRate: number;
  /** Analog samples per channel in each frame. Default 1. */
  analogSamplesPerFrame?: number;
  analog: {
    labels: string[];
    /** Real values, one array per channel, each frames × analogSamplesPerFrame long. */
    samples: ArrayLike<number>[];
  };
  /** Written to SUBJECTS:NAMES. */
  subject?: string | null;
}

/** The header holds frame numbers in 16 bits; TRIAL holds the real ones beyond. */
export const MAX_HEADER_FRAME = 0xffff;
/** Entries per LABELS/SCALE/OFFSET parameter before C3D continues in LABELS2 …. */
export const MAX_ENTRIES_PER_PARAMETER = 255;

/** Writes analog channels as a complete C3D file: Intel numbers, float samples, no 3D points. */
export function writeC3d(options: C3dWriteOptions): Uint8Array {
  const codec = numberCodecFor('INTEL');
  const perFrame = options.analogSamplesPerFrame ?? 1;
  const { labels, samples } = options.analog;
  const frameCount = checkedFrameCount(labels, samples, perFrame);
  const lastFrame = frameCount;
  const groupsFor = (dataStartBlock: number): C3dGroupSpec[] => [
    {
      name: 'POINT',
      description: '3D point parameters',
      parameters: [
        { name: 'USED', type: 'int16', values: [0] },
        { name: 'SCALE', type: 'float', values: [-1] },
        { name: 'RATE', type: 'float', values: [options.frameRate] },
        { name: 'DATA_START', type: 'int16', values: [dataStartBlock] },
        framesParameter(frameCount),
        ...continuedParameters('LABELS', 'char', []),
      ],
    },
    {
      name: 'ANALOG',
      description: 'Analog data parameters',
      parameters: [
        { name: 'USED', type: 'int16', values: [labels.length] },
        ...continuedParameters('LABELS', 'char', labels),
        ...continuedParameters(
          'SCALE',
          'float',
          labels.map(() => 1),
        ),
        { name: 'GEN_SCALE', type: 'float', values: [1] },
        ...continuedParameters(
          'OFFSET',
          'int16',
          labels.map(() => 0),
        ),
        { name: 'RATE', type: 'float', values: [options.frameRate * perFrame] },
        { name: 'FORMAT', type: 'char', values: ['SIGNED'] },
        { name: 'BITS', type: 'int16', values: [16] },
      ],
    },
    ...(options.subject ? [subjectsGroup(options.subject)] : []),
    ...(lastFrame > MAX_HEADER_FRAME ? [trialGroup(1, lastFrame)] : []),
  ];
  const { section, dataStartBlock } = layOutParameterSection(groupsFor, 'INTEL');

  const dataStart = (dataStartBlock - 1) * BLOCK_BYTES;
  const out = new Uint8Array(dataStart + frameCount * labels.length * perFrame * 4);
  const view = new DataView(out.buffer);
  writeHeader(view, codec, {
    parameterBlock: 2,
    pointCount: 0,
    analogPerFrame: labels.length * perFrame,
    firstFrame: 1,
    lastFrame,
    scale: -1,
    dataStartBlock,
    analogSamplesPerFrame: perFrame,
    frameRate: options.frameRate,
  });
  out.set(section, BLOCK_BYTES);
  let at = dataStart;
  for (let frame = 0; frame < frameCount; frame++) {
    for (let s = 0; s < perFrame; s++) {
      for (let c = 0; c < labels.length; c++) {
        codec.writeFloat32(view, at, samples[c][frame * perFrame + s]);
        at += 4;
      }
    }
  }
  return out;
}

/** Frames in the channels given: each channel the same length, a multiple of perFrame. */
export function checkedFrameCount(labels: string[], samples: ArrayLike<number>[], perFrame: number): number {
  if (labels.length < 1 || samples.length !== labels.length)
    throw new Error(`writeC3d needs one sample array per label; got ${labels.length} labels and ${samples.length} arrays`);
  if (!Number.isInteger(perFrame) || perFrame < 1) throw new Error(`analogSamplesPerFrame must be a positive integer, got ${perFrame}`);
  const sampleCount = samples[0].length;
  if (samples.some((s) => s.length !== sampleCount) || sampleCount % perFrame !== 0) {
    throw new Error(`every channel needs the same number of samples, a multiple of ${perFrame} (analogSamplesPerFrame)`);
  }
  return sampleCount / perFrame;
}

/** Writes the header (block 1); frame numbers above MAX_HEADER_FRAME are clamped to it. */
export function writeHeader(view: DataView, codec: NumberCodec, header: C3dHeader): void {
  view.setUint8(HEADER_OFFSET.parameterBlock, header.parameterBlock);
  view.setUint8(HEADER_OFFSET.magic, C3D_MAGIC);
  codec.writeUint16(view, HEADER_OFFSET.pointCount, header.pointCount);
  codec.writeUint16(view, HEADER_OFFSET.analogPerFrame, header.analogPerFrame);
  codec.writeUint16(view, HEADER_OFFSET.firstFrame, Math.min(header.firstFrame, MAX_HEADER_FRAME));
  codec.writeUint16(view, HEADER_OFFSET.lastFrame, Math.min(header.lastFrame, MAX_HEADER_FRAME));
  codec.writeFloat32(view, HEADER_OFFSET.scale, header.scale);
  codec.writeUint16(view, HEADER_OFFSET.dataStartBlock, header.dataStartBlock);
  codec.writeUint16(view, HEADER_OFFSET.analogSamplesPerFrame, header.analogSamplesPerFrame);
  codec.writeFloat32(view, HEADER_OFFSET.frameRate, header.frameRate);
}

/**
 * The parameter section of groupsFor(DATA_START), and DATA_START itself: the block after the
 * section. The section's size does not depend on DATA_START's value, so one trial run sizes it.
 */
export function layOutParameterSection(
  groupsFor: (dataStartBlock: number) => C3dGroupSpec[],
  processor: ProcessorType,
): { section: Uint8Array; dataStartBlock: number } {
  const codec = numberCodecFor(processor);
  const dataStartBlock = 2 + encodeParameterSection(groupsFor(0), codec, processor).byteLength / BLOCK_BYTES;
  return { section: encodeParameterSection(groupsFor(dataStartBlock), codec, processor), dataStartBlock };
}

/** POINT:FRAMES: int16 stops at 32767; longer files rely on TRIAL, so FRAMES goes to float. */
export function framesParameter(frameCount: number): C3dParameterSpec {
  return frameCount <= 0x7fff ? { name: 'FRAMES', type: 'int16', values: [frameCount] } : { name: 'FRAMES', type: 'float', values: [frameCount] };
}

export function subjectsGroup(subject: string): C3dGroupSpec {
  return {
    name: 'SUBJECTS',
    description: 'Subject information',
    parameters: [
      { name: 'USED', type: 'int16', values: [1] },
      { name: 'NAMES', type: 'char', values: [subject] },
    ],
  };
}

/** TRIAL:ACTUAL_START_FIELD and ACTUAL_END_FIELD: frame numbers beyond the header's 16 bits, as two words each. */
export function trialGroup(firstFrame: number, lastFrame: number): C3dGroupSpec {
  const words = (n: number) => [n & 0xffff, Math.floor(n / 0x10000)].map((w) => (w > 0x7fff ? w - 0x10000 : w));
  return {
    name: 'TRIAL',
    description: 'Frame range beyond the header limit',
    parameters: [
      { name: 'ACTUAL_START_FIELD', type: 'int16', dimensions: [2], values: words(firstFrame) },
      { name: 'ACTUAL_END_FIELD', type: 'int16', dimensions: [2], values: words(lastFrame) },
    ],
  };
}

/** NAME, NAME2, NAME3 … each holding at most `chunk` entries, as C3D continues long arrays. */
export function continuedParameters(
  name: string,
  type: ParameterType,
  values: Array<string | number>,
  chunk = MAX_ENTRIES_PER_PARAMETER,
): C3dParameterSpec[] {
  if (values.length === 0) return [{ name, type, dimensions: type === 'char' ? [0, 0] : [0], values: [] }];
  const specs: C3dParameterSpec[] = [];
  for (let i = 0; i * chunk < values.length; i++) {
    const part = values.slice(i * chunk, (i + 1) * chunk);
    const dimensions = type === 'char' ? [Math.max(1, ...part.map((v) => String(v).length)), part.length] : [part.length];
    specs.push({ name: i === 0 ? name : `${name}${i + 1}`, type, dimensions, values: part as number[] | string[] });
  }
  return specs;
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
  if (values.length !== count)
    throw new Error(`parameter ${p.name}: dimensions [${dimensions.join(', ')}] hold ${count} values, got ${values.length}`);
  const size = Math.abs(PARAMETER_TYPE_CODE[p.type]);
  const out = new Uint8Array(count * size);
  const view = new DataView(out.buffer);
  const [min, max] = p.type === 'byte' ? [-0x80, 0x7f] : p.type === 'int16' ? [-0x8000, 0x7fff] : [-Infinity, Infinity];
  values.forEach((v, i) => {
    if (p.type !== 'float' && !(Number.isInteger(v) && v >= min && v <= max))
      throw new Error(`parameter ${p.name}: ${v} is not a ${p.type} (${min}..${max})`);
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

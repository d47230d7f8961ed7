import { resolveAnalogCalibration } from './analog-calibration';
import { ByteReader } from './byte-reader';
import { readAnalogData } from './data';
import { BLOCK_BYTES, locateParameterSection, readHeader, type C3dHeader } from './header';
import { resolveDataLayout, type DataLayout } from './layout';
import { readParameterSection, readSectionPreamble, type ParameterSet } from './parameters';
import { numberCodecFor, type ProcessorType } from './processor';

export interface C3dAnalog {
  /** Trimmed ANALOG:LABELS (then LABELS2 …), one per channel. */
  labels: string[];
  /** Samples per second per channel. */
  rate: number;
  /** Real values, (raw − OFFSET) × GEN_SCALE × SCALE, one array per channel. */
  samples: Float64Array[];
}

export interface C3dFile {
  processor: ProcessorType;
  header: C3dHeader;
  parameters: ParameterSet;
  layout: DataLayout;
  analog: C3dAnalog;
  /** SUBJECTS:NAMES or a similar parameter when the file has one. */
  subject: string | null;
}

/**
 * Reads a C3D file's header, parameters and analog data. Point data is skipped. Any
 * malformed, truncated or self-contradicting file throws InputError saying what is wrong.
 */
export function readC3d(bytes: Uint8Array): C3dFile {
  const sectionStart = locateParameterSection(bytes);
  const { blockCount, processor } = readSectionPreamble(bytes, sectionStart);
  const reader = new ByteReader(bytes, numberCodecFor(processor));
  const header = readHeader(reader);
  // Some writers get the block count wrong; the section really runs until the data starts.
  const dataStart = (header.dataStartBlock - 1) * BLOCK_BYTES;
  const sectionEnd = Math.min(bytes.byteLength, Math.max(sectionStart + blockCount * BLOCK_BYTES, dataStart));
  const parameters = readParameterSection(reader, sectionStart, sectionEnd);
  const layout = resolveDataLayout(header, parameters, bytes.byteLength);
  const calibration = resolveAnalogCalibration(parameters, layout.analogChannels, layout.storage);
  const samples = readAnalogData(reader, layout, calibration);
  return {
    processor,
    header,
    parameters,
    layout,
    analog: { labels: calibration.labels, rate: layout.analogRate, samples },
    subject: readSubjectName(parameters),
  };
}

const SUBJECT_NAME_PARAMETERS: ReadonlyArray<[string, string]> = [
  ['SUBJECTS', 'NAMES'],
  ['SUBJECTS', 'NAME'],
  ['SUBJECTS', 'PLAYER_NAME'],
  ['SUBJECT', 'NAMES'],
  ['SUBJECT', 'NAME'],
];

function readSubjectName(parameters: ParameterSet): string | null {
  for (const [group, name] of SUBJECT_NAME_PARAMETERS) {
    const p = parameters.get(group, name);
    if (p?.type !== 'char') continue;
    const first = p.values.map((v) => v.trim()).find((v) => v !== '');
    if (first) return first;
  }
  return null;
}

import { InputError } from '../../../lib/errors';
import type { SampleStorage } from './layout';
import type { ParameterSet } from './parameters';

/** How to name each analog channel and turn its stored numbers into real values. */
export interface AnalogCalibration {
  labels: string[];
  /** ANALOG:OFFSET per channel, already read as unsigned when the format is UNSIGNED. */
  offsets: number[];
  /** GEN_SCALE × SCALE per channel: real = (raw − offset) × factor. */
  factors: number[];
  /** Integer storage only: samples are unsigned 16-bit (ANALOG:FORMAT = UNSIGNED). */
  unsigned: boolean;
}

/** Reads LABELS, SCALE, OFFSET, GEN_SCALE, FORMAT and BITS, each continued past 255 entries (LABELS2 …). */
export function resolveAnalogCalibration(parameters: ParameterSet, channels: number, storage: SampleStorage): AnalogCalibration {
  if (channels === 0) return { labels: [], offsets: [], factors: [], unsigned: false };

  const labels = parameters.continuedStrings('ANALOG', 'LABELS');
  if (!labels) throw new InputError(`C3D file has ${channels} analog channels but no ANALOG:LABELS`, { channels });
  if (labels.length < channels) {
    throw new InputError(`C3D ANALOG:LABELS (with LABELS2 …) names ${labels.length} channels but ANALOG:USED is ${channels}`, {
      labels: labels.length,
      channels,
    });
  }

  const unsigned = readUnsigned(parameters);
  checkBits(parameters, storage);

  const offsets = perChannel(parameters, 'OFFSET', channels, 0).map((o) => (unsigned && o < 0 ? o + 65536 : o));
  const generalScale = parameters.firstNumber('ANALOG', 'GEN_SCALE') ?? 1;
  const factors = perChannel(parameters, 'SCALE', channels, 1).map((s) => s * generalScale);
  if (!factors.every(Number.isFinite) || !offsets.every(Number.isFinite)) {
    throw new InputError('C3D ANALOG:SCALE, GEN_SCALE or OFFSET holds a value that is not a finite number');
  }

  return {
    labels: labels.slice(0, channels).map((label, i) => label.trim() || `Channel ${i + 1}`),
    offsets,
    factors,
    unsigned: storage === 'int16' && unsigned,
  };
}

/** Per-channel numbers; absent means the default for every channel, too few is an error. */
function perChannel(parameters: ParameterSet, name: string, channels: number, absent: number): number[] {
  const values = parameters.continuedNumbers('ANALOG', name);
  if (!values) return new Array<number>(channels).fill(absent);
  if (values.length < channels) {
    throw new InputError(`C3D ANALOG:${name} has ${values.length} values for ${channels} channels`, {
      parameter: name,
      values: values.length,
      channels,
    });
  }
  return values.slice(0, channels);
}

function readUnsigned(parameters: ParameterSet): boolean {
  const format = parameters.strings('ANALOG', 'FORMAT')?.[0]?.trim().toUpperCase();
  if (format === undefined || format === '' || format === 'SIGNED') return false;
  if (format === 'UNSIGNED') return true;
  throw new InputError(`C3D ANALOG:FORMAT is "${format}"; expected SIGNED or UNSIGNED`, { format });
}

/** BITS only documents the converter's resolution, but a value beyond 16 cannot describe int16 samples. */
function checkBits(parameters: ParameterSet, storage: SampleStorage): void {
  const bits = parameters.firstNumber('ANALOG', 'BITS');
  if (storage === 'int16' && bits !== undefined && !(Number.isInteger(bits) && bits >= 1 && bits <= 16)) {
    throw new InputError(`C3D ANALOG:BITS is ${bits}; integer analog data holds 1 to 16 bits`, { bits });
  }
}

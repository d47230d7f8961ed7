import { InputError } from '../../../lib/errors';
import type { AnalogCalibration } from './analog-calibration';
import type { ByteReader } from './byte-reader';
import type { DataLayout } from './layout';

/**
 * Reads every analog channel into real values, skipping the point words of each frame.
 * Within a frame the analog part holds `analogSamplesPerFrame` rounds of one value per
 * channel. The layout has already been checked against the file's length, so the loop
 * reads without per-value bounds checks.
 */
export function readAnalogData(reader: ByteReader, layout: DataLayout, calibration: AnalogCalibration): Float64Array[] {
  const { frameCount, analogChannels: channels, analogSamplesPerFrame: perFrame, bytesPerFrame } = layout;
  const samples = Array.from({ length: channels }, () => new Float64Array(frameCount * perFrame));
  if (channels === 0) return samples;
  reader.require(layout.dataStart, frameCount * bytesPerFrame, 'analog data');

  const wordBytes = layout.storage === 'float' ? 4 : 2;
  const view = reader.view;
  const codec = reader.codec;
  const read =
    layout.storage === 'float'
      ? (at: number) => codec.readFloat32(view, at)
      : calibration.unsigned
        ? (at: number) => codec.readUint16(view, at)
        : (at: number) => codec.readInt16(view, at);
  const { offsets, factors } = calibration;
  const pointBytes = layout.pointCount * 4 * wordBytes;

  for (let frame = 0; frame < frameCount; frame++) {
    let at = layout.dataStart + frame * bytesPerFrame + pointBytes;
    for (let s = 0; s < perFrame; s++) {
      const index = frame * perFrame + s;
      for (let c = 0; c < channels; c++) {
        const value = (read(at) - offsets[c]) * factors[c];
        // Float storage can hold NaN or Infinity; downstream features must stay finite.
        if (!Number.isFinite(value)) {
          throw new InputError(
            `C3D analog sample ${index} of channel ${calibration.labels[c]} (frame ${layout.firstFrame + frame}) is not a finite number`,
            {
              channel: calibration.labels[c],
              frame: layout.firstFrame + frame,
            },
          );
        }
        samples[c][index] = value;
        at += wordBytes;
      }
    }
  }
  return samples;
}

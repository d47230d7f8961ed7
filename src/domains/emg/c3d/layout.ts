import { InputError } from '../../../lib/errors';
import { BLOCK_BYTES, type C3dHeader } from './header';
import type { ParameterSet } from './parameters';

export type SampleStorage = 'int16' | 'float';

/** Where the frames are and how each one is laid out, checked against the file's length. */
export interface DataLayout {
  /** Byte offset of the first frame. */
  dataStart: number;
  firstFrame: number;
  frameCount: number;
  storage: SampleStorage;
  /** 3D points per frame; each takes four words (x, y, z, residual) that the reader skips. */
  pointCount: number;
  analogChannels: number;
  /** Analog samples per channel in each 3D frame (ANALOG:RATE / POINT:RATE). */
  analogSamplesPerFrame: number;
  /** 3D frames per second. */
  frameRate: number;
  /** Analog samples per second per channel. */
  analogRate: number;
  bytesPerFrame: number;
}

/**
 * Resolves the data layout from the header and parameters, refusing anything whose counts
 * contradict each other or whose frames would run past the end of the file, so nothing is
 * allocated from a count the file cannot back.
 */
export function resolveDataLayout(header: C3dHeader, parameters: ParameterSet, fileBytes: number): DataLayout {
  const storage: SampleStorage = (parameters.firstNumber('POINT', 'SCALE') ?? header.scale) < 0 ? 'float' : 'int16';

  const pointCount = header.pointCount;
  const pointsUsed = parameters.firstNumber('POINT', 'USED');
  if (pointsUsed !== undefined && pointsUsed !== pointCount) {
    throw new InputError(`C3D header stores ${pointCount} points per frame but POINT:USED is ${pointsUsed}`, {
      headerPoints: pointCount,
      pointsUsed,
    });
  }

  const { analogChannels, analogSamplesPerFrame } = resolveAnalogCounts(header, parameters);
  const frameRate = parameters.firstNumber('POINT', 'RATE') ?? header.frameRate;
  const analogRate = resolveAnalogRate(parameters, frameRate, analogChannels, analogSamplesPerFrame);
  const { firstFrame, frameCount } = resolveFrameRange(header, parameters);

  if (header.dataStartBlock <= header.parameterBlock) {
    throw new InputError(
      `C3D header puts the data at block ${header.dataStartBlock}, not after the parameter section at block ${header.parameterBlock}`,
      {
        dataStartBlock: header.dataStartBlock,
        parameterBlock: header.parameterBlock,
      },
    );
  }
  const dataStart = (header.dataStartBlock - 1) * BLOCK_BYTES;
  const wordBytes = storage === 'float' ? 4 : 2;
  const bytesPerFrame = (pointCount * 4 + header.analogPerFrame) * wordBytes;
  const dataBytes = frameCount * bytesPerFrame;
  if (dataStart + dataBytes > fileBytes) {
    throw new InputError(
      `C3D file is truncated or its counts are wrong: ${frameCount} frames of ${bytesPerFrame} bytes from byte offset ${dataStart} need ${dataStart + dataBytes} bytes, but the file has ${fileBytes}`,
      { frameCount, bytesPerFrame, dataStart, fileBytes },
    );
  }
  return { dataStart, firstFrame, frameCount, storage, pointCount, analogChannels, analogSamplesPerFrame, frameRate, analogRate, bytesPerFrame };
}

function resolveAnalogCounts(header: C3dHeader, parameters: ParameterSet): { analogChannels: number; analogSamplesPerFrame: number } {
  const perFrame = header.analogPerFrame;
  const used = parameters.firstNumber('ANALOG', 'USED');
  const analogChannels = used ?? (header.analogSamplesPerFrame > 0 ? perFrame / header.analogSamplesPerFrame : 0);
  if (!Number.isInteger(analogChannels) || analogChannels < 0) {
    throw new InputError(`C3D analog channel count is ${analogChannels}; ANALOG:USED must be a non-negative integer`, { analogChannels });
  }
  if (analogChannels === 0) {
    if (perFrame !== 0) throw new InputError(`C3D header stores ${perFrame} analog values per frame but ANALOG:USED is 0`, { perFrame });
    return { analogChannels: 0, analogSamplesPerFrame: 0 };
  }
  if (perFrame === 0 || perFrame % analogChannels !== 0) {
    throw new InputError(
      `C3D header stores ${perFrame} analog values per frame, which is not a positive multiple of the ${analogChannels} channels in ANALOG:USED`,
      {
        perFrame,
        analogChannels,
      },
    );
  }
  return { analogChannels, analogSamplesPerFrame: perFrame / analogChannels };
}

function resolveAnalogRate(parameters: ParameterSet, frameRate: number, channels: number, samplesPerFrame: number): number {
  if (channels === 0) return 0;
  const declared = parameters.firstNumber('ANALOG', 'RATE');
  const analogRate = declared ?? frameRate * samplesPerFrame;
  if (!Number.isFinite(analogRate) || analogRate <= 0) {
    throw new InputError(`C3D analog sample rate is ${analogRate} Hz; it must be positive (ANALOG:RATE or POINT:RATE)`, { analogRate });
  }
  // The frames interleave samplesPerFrame samples per channel, so the rates must agree with it.
  if (declared !== undefined && frameRate > 0 && Math.abs(declared / frameRate - samplesPerFrame) > 0.01 * samplesPerFrame) {
    throw new InputError(
      `C3D ANALOG:RATE ${declared} Hz over a frame rate of ${frameRate} Hz gives ${declared / frameRate} samples per frame, but the frames hold ${samplesPerFrame}`,
      { analogRate: declared, frameRate, samplesPerFrame },
    );
  }
  return analogRate;
}

/**
 * The header's 16-bit frame numbers cap a file at 65535 frames; longer files store the range
 * in TRIAL:ACTUAL_START_FIELD / ACTUAL_END_FIELD as two unsigned 16-bit words, low first.
 */
function resolveFrameRange(header: C3dHeader, parameters: ParameterSet): { firstFrame: number; frameCount: number } {
  const trialStart = trialField(parameters, 'ACTUAL_START_FIELD');
  const trialEnd = trialField(parameters, 'ACTUAL_END_FIELD');
  const firstFrame = trialStart ?? header.firstFrame;
  const lastFrame = trialEnd ?? header.lastFrame;
  const frameCount = lastFrame - firstFrame + 1;
  if (frameCount < 0) {
    throw new InputError(`C3D last frame ${lastFrame} comes before first frame ${firstFrame}`, { firstFrame, lastFrame });
  }
  return { firstFrame, frameCount };
}

function trialField(parameters: ParameterSet, name: string): number | undefined {
  const words = parameters.numbers('TRIAL', name);
  if (!words || words.length < 2) return undefined;
  return (words[0] & 0xffff) + (words[1] & 0xffff) * 65536;
}

import type { PowerSpectrum } from './welch';

/** Power-weighted mean frequency in Hz; 0 for a spectrum without power. */
export function meanFrequency(spectrum: PowerSpectrum): number {
  let weighted = 0;
  let total = 0;
  for (let k = 0; k < spectrum.power.length; k++) {
    weighted += spectrum.frequencies[k] * spectrum.power[k];
    total += spectrum.power[k];
  }
  return total > 0 ? weighted / total : 0;
}

/**
 * Frequency in Hz below which half the power lies; 0 for a spectrum without power. Each
 * bin's power is spread evenly over its width (half a bin at DC and Nyquist) and the
 * crossing is interpolated inside its bin, so the answer is not rounded to the bin grid.
 */
export function medianFrequency(spectrum: PowerSpectrum): number {
  const { power, binWidth } = spectrum;
  let total = 0;
  for (let k = 0; k < power.length; k++) total += power[k];
  if (!(total > 0)) return 0;
  const half = total / 2;
  const last = power.length - 1;
  let below = 0;
  for (let k = 0; k <= last; k++) {
    if (below + power[k] >= half) {
      const low = k === 0 ? 0 : (k - 0.5) * binWidth;
      const high = k === last ? k * binWidth : (k + 0.5) * binWidth;
      return low + ((half - below) / power[k]) * (high - low);
    }
    below += power[k];
  }
  return last * binWidth;
}

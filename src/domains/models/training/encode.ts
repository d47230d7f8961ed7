import type { CellValue, ColumnInfo, ColumnType } from '../../datasets/table';

/**
 * How one original feature becomes numbers: NUMBER as is, DATE as days since the Unix epoch,
 * STRING and BOOLEAN one-hot over the categories seen in the training rows. A category never
 * seen in training encodes as all zeros: the model treats it as "none of the known ones".
 */
export type FeatureEncoding = { name: string; type: 'NUMBER' | 'DATE' } | { name: string; type: 'STRING' | 'BOOLEAN'; categories: string[] };

export interface Encoder {
  features: FeatureEncoding[];
  /**
   * Per encoded column, present for algorithms that compare distances or take gradient steps
   * (logistic regression, KNN), which misbehave when one feature's scale dwarfs another's.
   * One-hot columns keep mean 0 and std 1, so they stay 0/1.
   */
  scaling?: { mean: number[]; std: number[] };
}

/** A feature's span of encoded columns, [start, end). */
export interface EncodedGroup {
  feature: string;
  start: number;
  end: number;
}

const MS_PER_DAY = 86_400_000;

/** Whether a cell can be encoded for a column of this type; rows with any other cell are dropped. */
export function isUsableCell(type: ColumnType, cell: CellValue): boolean {
  switch (type) {
    case 'NUMBER':
      return typeof cell === 'number' && Number.isFinite(cell);
    case 'DATE':
      return typeof cell === 'string' && Number.isFinite(Date.parse(cell));
    case 'BOOLEAN':
      return typeof cell === 'boolean';
    case 'STRING':
      return cell !== null;
  }
}

/** Learns categories (and scaling, if asked) from the training rows; `rows[r][f]` is feature f's cell. */
export function fitEncoder(columns: ColumnInfo[], rows: CellValue[][], standardise: boolean): Encoder {
  const features: FeatureEncoding[] = columns.map((col, f) => {
    if (col.type === 'NUMBER' || col.type === 'DATE') return { name: col.name, type: col.type };
    // Sorted so the encoding does not depend on row order.
    const categories = [...new Set(rows.map((row) => String(row[f])))].sort();
    return { name: col.name, type: col.type, categories };
  });
  const encoder: Encoder = { features };
  if (standardise)
    encoder.scaling = fitScaling(
      encoder,
      rows.map((row) => encodeCells(encoder, row)),
    );
  return encoder;
}

/** Encodes one row of feature cells, given in `encoder.features` order and already known usable. */
export function encodeCells(encoder: Encoder, cells: readonly CellValue[]): number[] {
  const out: number[] = [];
  encoder.features.forEach((feature, f) => {
    const cell = cells[f];
    if ('categories' in feature) for (const category of feature.categories) out.push(String(cell) === category ? 1 : 0);
    else if (feature.type === 'DATE') out.push(Date.parse(cell as string) / MS_PER_DAY);
    else out.push(cell as number);
  });
  const { scaling } = encoder;
  if (scaling) for (let i = 0; i < out.length; i++) out[i] = (out[i] - scaling.mean[i]) / scaling.std[i];
  return out;
}

export function encodedGroups(encoder: Encoder): EncodedGroup[] {
  let start = 0;
  return encoder.features.map((feature) => {
    const width = 'categories' in feature ? feature.categories.length : 1;
    const group = { feature: feature.name, start, end: start + width };
    start += width;
    return group;
  });
}

function fitScaling(encoder: Encoder, encoded: number[][]): { mean: number[]; std: number[] } {
  const width = encoded[0]?.length ?? 0;
  const mean = new Array<number>(width).fill(0);
  const std = new Array<number>(width).fill(1);
  for (const group of encodedGroups(encoder)) {
    const feature = encoder.features.find((f) => f.name === group.feature)!;
    if ('categories' in feature) continue;
    const values = encoded.map((row) => row[group.start]);
    const m = values.reduce((a, b) => a + b, 0) / values.length;
    const variance = values.reduce((a, v) => a + (v - m) ** 2, 0) / values.length;
    mean[group.start] = m;
    // A constant column would divide by zero; leaving it unscaled keeps it constant (and harmless).
    std[group.start] = variance > 0 ? Math.sqrt(variance) : 1;
  }
  return { mean, std };
}

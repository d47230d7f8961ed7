import { InputError } from '../../../lib/errors';
import type { CellValue, ColumnInfo, Table } from '../../datasets/table';
import { ALGORITHMS, type TrainingRequest } from './types';

/** A target needs between these many distinct values to be a classification target. */
export const MIN_CLASSES = 2;
export const MAX_CLASSES = 50;
/** One-hot encoding a string feature adds one column per category; beyond this it is more likely an identifier. */
export const MAX_CATEGORIES = 50;
/** Without explicit features, string columns join only when they look categorical. */
export const DEFAULT_MAX_CATEGORIES = 20;

/** The class label of a target cell; null means the row has no label. */
export function classLabel(cell: CellValue): string | null {
  return cell === null ? null : String(cell);
}

/**
 * Checks a training request against the table and returns the features to use.
 *
 * Without `features` (or with an empty list) every other column that can be a feature is used:
 * NUMBER, DATE (as epoch days) and BOOLEAN columns, and STRING columns with at most
 * DEFAULT_MAX_CATEGORIES distinct values (names and identifiers stay out); columns with fewer
 * than two distinct values carry no information and are skipped. Explicit STRING features may
 * have up to MAX_CATEGORIES values. Repeated feature names count once.
 */
export function validateTrainingRequest(table: Table, request: TrainingRequest): string[] {
  const { target, algorithm } = request;
  if (!ALGORITHMS.includes(algorithm)) {
    throw new InputError(`unknown algorithm "${String(algorithm)}"; expected one of ${ALGORITHMS.join(', ')}`, { algorithm });
  }
  const targetIndex = columnIndex(table, target);
  if (targetIndex < 0) {
    throw new InputError(`unknown target column "${target}"; columns are ${columnList(table)}`, { target });
  }

  const classCount = new Set(table.data[targetIndex].map(classLabel).filter((l) => l !== null)).size;
  if (classCount < MIN_CLASSES || classCount > MAX_CLASSES) {
    throw new InputError(`target "${target}" has ${classCount} distinct values; a classification target needs ${MIN_CLASSES} to ${MAX_CLASSES}`, {
      target,
      classCount,
    });
  }

  const requested = [...new Set(request.features ?? [])];
  if (requested.length === 0) return defaultFeatures(table, target);

  const unknown = requested.filter((f) => columnIndex(table, f) < 0);
  if (unknown.length > 0) {
    throw new InputError(`unknown feature column${unknown.length > 1 ? 's' : ''} ${quoteList(unknown)}; columns are ${columnList(table)}`, {
      unknown,
    });
  }
  if (requested.includes(target)) {
    throw new InputError(`"${target}" is the target and cannot also be a feature`, { target });
  }
  for (const feature of requested) {
    const c = columnIndex(table, feature);
    if (table.columns[c].type !== 'STRING') continue;
    const categories = distinctCount(table.data[c]);
    if (categories > MAX_CATEGORIES) {
      throw new InputError(`feature "${feature}" has ${categories} distinct values; a string feature may have at most ${MAX_CATEGORIES}`, {
        feature,
        categories,
      });
    }
  }
  return requested;
}

function defaultFeatures(table: Table, target: string): string[] {
  const features = table.columns.filter((col, c) => col.name !== target && suitableByDefault(col, table.data[c])).map((col) => col.name);
  if (features.length === 0) {
    throw new InputError(`no column besides "${target}" is usable as a feature; name the features explicitly`, { target });
  }
  return features;
}

function suitableByDefault(column: ColumnInfo, cells: CellValue[]): boolean {
  const distinct = distinctCount(cells);
  if (distinct < 2) return false;
  return column.type !== 'STRING' || distinct <= DEFAULT_MAX_CATEGORIES;
}

function distinctCount(cells: CellValue[]): number {
  return new Set(cells.filter((v) => v !== null)).size;
}

export function columnIndex(table: Table, name: string): number {
  return table.columns.findIndex((c) => c.name === name);
}

function columnList(table: Table): string {
  return quoteList(table.columns.map((c) => c.name));
}

function quoteList(names: string[]): string {
  return names.map((n) => `"${n}"`).join(', ');
}

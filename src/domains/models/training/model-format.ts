import type { Encoder } from './encode';
import { ALGORITHMS, type Algorithm } from './types';

const FORMAT = 'cachegate.classifier/1';

/** What `TrainedModel.model` holds, as JSON: everything `predict` needs, nothing about the training data beyond it. */
export interface SerializedModel {
  format: typeof FORMAT;
  algorithm: Algorithm;
  target: string;
  classes: string[];
  encoder: Encoder;
  /** The ml-* library's own toJSON() output. */
  estimator: object;
}

export function serializeModel(model: Omit<SerializedModel, 'format'>): string {
  return JSON.stringify({ format: FORMAT, ...model });
}

/**
 * Parses a stored model. A malformed one is not the client's fault (models come from our own
 * storage), so this throws a plain Error rather than an InputError.
 */
export function parseModel(text: string): SerializedModel {
  let parsed: Partial<SerializedModel>;
  try {
    parsed = JSON.parse(text) as Partial<SerializedModel>;
  } catch (err) {
    throw new Error(`stored model is not JSON: ${(err as Error).message}`, { cause: err });
  }
  if (
    parsed?.format !== FORMAT ||
    !ALGORITHMS.includes(parsed.algorithm as Algorithm) ||
    !Array.isArray(parsed.classes) ||
    !parsed.encoder ||
    !parsed.estimator
  ) {
    throw new Error(`stored model is not a ${FORMAT} model`);
  }
  return parsed as SerializedModel;
}

import { InputError } from '../../../lib/errors';
import type { CellValue } from '../../datasets/table';
import { argmax, loadClassifier, type Classifier } from './algorithms';
import { encodeCells, isUsableCell, type FeatureEncoding } from './encode';
import { parseModel, type SerializedModel } from './model-format';
import type { Prediction } from './types';

interface LoadedModel {
  model: SerializedModel;
  classifier: Classifier;
}

/** Parsing a forest's JSON costs far more than predicting with it, so recent models stay loaded. */
const LOADED_MODELS_MAX = 16;
const loadedModels = new Map<string, LoadedModel>();

/**
 * Predicts the class of one input with a model from `trainModel`. `input` must hold exactly the
 * model's features: numbers for NUMBER, ISO date strings for DATE, booleans for BOOLEAN and
 * strings for STRING features. A category not seen in training is accepted (it encodes as
 * "none of the known categories"); null is not, since training dropped rows with nulls.
 */
export function predict(modelJson: string, input: Record<string, unknown>): Prediction {
  const { model, classifier } = load(modelJson);
  const cells = checkInput(model.encoder.features, input);
  const probabilities = classifier.predictProba([encodeCells(model.encoder, cells)])[0];
  const best = argmax(probabilities);
  const ranked = model.classes
    .map((label, c) => ({ label, p: probabilities[c], c }))
    // The argmax class first even on a tie, so `label` is always probabilities[0].label.
    .sort((a, b) => b.p - a.p || Number(b.c === best) - Number(a.c === best) || a.c - b.c)
    .map(({ label, p }) => ({ label, p }));
  return { label: model.classes[best], probabilities: ranked };
}

function load(modelJson: string): LoadedModel {
  let loaded = loadedModels.get(modelJson);
  if (loaded) {
    // Re-insert to mark as most recently used; Map keeps insertion order.
    loadedModels.delete(modelJson);
  } else {
    const model = parseModel(modelJson);
    loaded = { model, classifier: loadClassifier(model.algorithm, model.estimator, model.classes.length) };
    if (loadedModels.size >= LOADED_MODELS_MAX) loadedModels.delete(loadedModels.keys().next().value!);
  }
  loadedModels.set(modelJson, loaded);
  return loaded;
}

const EXPECTED: Record<FeatureEncoding['type'], string> = {
  NUMBER: 'a finite number',
  DATE: 'an ISO-8601 date string',
  BOOLEAN: 'a boolean',
  STRING: 'a string',
};

/** The input's cells in model feature order, or an InputError naming every missing, unexpected and mistyped feature. */
function checkInput(features: FeatureEncoding[], input: Record<string, unknown>): CellValue[] {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InputError(`input must be an object of feature values, got ${describe(input)}`);
  }
  const names = new Set(features.map((f) => f.name));
  const missing = features.filter((f) => !Object.hasOwn(input, f.name)).map((f) => f.name);
  const unexpected = Object.keys(input).filter((key) => !names.has(key));
  const mistyped = features
    .filter((f) => Object.hasOwn(input, f.name) && !isInputCell(f, input[f.name]))
    .map((f) => ({ feature: f.name, expected: EXPECTED[f.type], got: describe(input[f.name]) }));

  const problems: string[] = [];
  if (missing.length > 0) problems.push(`missing feature${plural(missing)} ${quote(missing)}`);
  if (unexpected.length > 0) problems.push(`unexpected feature${plural(unexpected)} ${quote(unexpected)}`);
  for (const m of mistyped) problems.push(`feature "${m.feature}" must be ${m.expected}, got ${m.got}`);
  if (problems.length > 0) {
    throw new InputError(`invalid prediction input: ${problems.join('; ')}; the model's features are ${quote([...names])}`, {
      missing,
      unexpected,
      mistyped: mistyped.map((m) => m.feature),
    });
  }
  return features.map((f) => input[f.name] as CellValue);
}

function isInputCell(feature: FeatureEncoding, value: unknown): boolean {
  // STRING cells in a table may be anything non-null; from a client we insist on a string.
  if (feature.type === 'STRING') return typeof value === 'string';
  return isUsableCell(feature.type, value as CellValue);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

function plural(items: unknown[]): string {
  return items.length > 1 ? 's' : '';
}

function quote(names: string[]): string {
  return names.map((n) => `"${n}"`).join(', ');
}

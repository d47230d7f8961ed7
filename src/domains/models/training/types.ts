import type { Table } from '../../datasets/table';

export type Algorithm = 'RANDOM_FOREST' | 'DECISION_TREE' | 'LOGISTIC_REGRESSION' | 'KNN';

export const ALGORITHMS: readonly Algorithm[] = ['RANDOM_FOREST', 'DECISION_TREE', 'LOGISTIC_REGRESSION', 'KNN'];

export interface TrainingRequest {
  target: string;
  /** Omitted or empty: every other column suitable as a feature (see `validateTrainingRequest`). */
  features?: string[];
  algorithm: Algorithm;
}

export interface TrainOptions extends TrainingRequest {
  /** 32-bit integer; the same table, request and seed give the same split, model and metrics. */
  seed: number;
  /**
   * At most this many usable rows are split and trained on (a seeded stratified sample beyond
   * it); defaults to MAX_TRAINING_ROWS of the algorithm.
   */
  maxRows?: number;
}

export interface ModelMetrics {
  accuracy: number;
  /** Macro averages over the classes seen in the test set, as actual or as predicted. */
  precision: number;
  recall: number;
  f1: number;
  classes: string[];
  /** confusionMatrix[actual][predicted], both indexed in `classes` order. */
  confusionMatrix: number[][];
  /** Rows fitted on and scored on: after dropping rows with nulls and after the cap (MAX_TRAINING_ROWS). */
  trainRows: number;
  testRows: number;
  /** Wall time of fitting the classifier alone, in milliseconds. */
  trainingMs: number;
}

export interface FeatureImportance {
  feature: string;
  /** Mean drop in test accuracy when the feature is shuffled; near 0 (possibly below) for a useless one. */
  importance: number;
}

export interface TrainedModel {
  /** The features actually used, resolved from the request. */
  features: string[];
  metrics: ModelMetrics;
  /** Sorted by importance, highest first. */
  featureImportance: FeatureImportance[];
  /** Rows left out because the target or a feature was null (or an unparseable date). */
  droppedRows: number;
  /** Rows with every used cell present; when above the cap, trainRows + testRows are a sample of them. */
  usableRows: number;
  /** Everything `predict` needs, as JSON. */
  model: string;
}

export interface ClassProbability {
  label: string;
  p: number;
}

export interface Prediction {
  label: string;
  /** Sorted by p, highest first; sums to 1. `label` is the first entry. */
  probabilities: ClassProbability[];
}

export type { Table };

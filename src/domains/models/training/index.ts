// The pure computation of the models domain: no GraphQL, no storage. Run it in a worker
// (../model.worker.ts): training takes CPU seconds.
export { validateTrainingRequest, MAX_CLASSES, MIN_CLASSES, MAX_CATEGORIES, DEFAULT_MAX_CATEGORIES } from './validate';
export { trainModel } from './train';
export { predict } from './predict';
export { ALGORITHMS } from './types';
export type { Algorithm, ClassProbability, FeatureImportance, ModelMetrics, Prediction, TrainedModel, TrainingRequest, TrainOptions } from './types';
export { MAX_TRAINING_ROWS } from './algorithms';

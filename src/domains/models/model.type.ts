import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';

export enum ModelStatus {
  QUEUED = 'QUEUED',
  TRAINING = 'TRAINING',
  COMPLETED = 'COMPLETED',
  FAILED = 'FAILED',
}
registerEnumType(ModelStatus, {
  name: 'ModelStatus',
  description: 'Where a model run is: waiting for the trainer, training, done, or failed',
  valuesConfig: {
    QUEUED: { description: 'Waiting for the background trainer (one run trains at a time)' },
    TRAINING: { description: 'Being trained now' },
    COMPLETED: { description: 'Trained: metrics, feature importance and predictions are available' },
    FAILED: { description: 'Training failed; `error` says why' },
  },
});

export enum Algorithm {
  RANDOM_FOREST = 'RANDOM_FOREST',
  DECISION_TREE = 'DECISION_TREE',
  LOGISTIC_REGRESSION = 'LOGISTIC_REGRESSION',
  KNN = 'KNN',
}
registerEnumType(Algorithm, {
  name: 'Algorithm',
  description:
    'A classifier. Training uses at most 1,000 rows for RANDOM_FOREST and 2,000 for the others (a seeded stratified sample of larger datasets)',
  valuesConfig: {
    RANDOM_FOREST: { description: '50 CART trees on bagged rows and features (ml-random-forest); at most 1,000 rows' },
    DECISION_TREE: { description: 'One CART tree, Gini impurity (ml-cart); at most 2,000 rows' },
    LOGISTIC_REGRESSION: { description: 'One-vs-all logistic regression on standardised features (ml-logistic-regression); at most 2,000 rows' },
    KNN: { description: 'k = 5 nearest neighbours on standardised features (ml-knn); at most 2,000 rows' },
  },
});

export enum ModelMetric {
  ACCURACY = 'ACCURACY',
  PRECISION = 'PRECISION',
  RECALL = 'RECALL',
  F1 = 'F1',
}
registerEnumType(ModelMetric, { name: 'ModelMetric', description: 'A score of ModelMetrics by which compareModels ranks runs' });

/** A model run row (without the stored model, metrics and importance): the parent of every ModelRun field. */
@ObjectType({ description: 'One classifier trained on a dataset, in the background: queued, trained, then scored on a held-out 20 %' })
export class ModelRun {
  @Field(() => ID, { description: 'A UUID' })
  id!: string;

  @Field({ description: 'Generated: "<algorithm> on <dataset> → <target>"' })
  name!: string;

  @Field(() => Algorithm)
  algorithm!: Algorithm;

  /** Resolved through the request's dataset loader (ModelRunResolver.dataset). */
  datasetId!: string;

  @Field({ description: 'The column predicted (the class label)' })
  target!: string;

  @Field(() => [String], { description: 'The columns the model reads, resolved when the run was queued' })
  features!: string[];

  @Field(() => ModelStatus)
  status!: ModelStatus;

  @Field()
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When the trainer last started on the run' })
  startedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When training finished, COMPLETED or FAILED' })
  completedAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'Why training failed (FAILED only)' })
  error!: string | null;

  /** Who queued it (null: the system); not in the schema, see src/domains/ownership.ts. */
  owner!: string | null;
}

@ObjectType({ description: 'Scores on the held-out 20 % of the rows (a seeded stratified split)' })
export class ModelMetrics {
  @Field(() => Float) accuracy!: number;
  @Field(() => Float, { description: 'Macro average over the classes seen in the test set, as actual or as predicted' }) precision!: number;
  @Field(() => Float, { description: 'Macro average, as precision' }) recall!: number;
  @Field(() => Float, { description: 'Macro average of the per-class F1' }) f1!: number;
  @Field(() => [String], { description: 'Class labels, in the order of the confusion matrix' }) classes!: string[];
  @Field(() => [[Int]], { description: 'confusionMatrix[actual][predicted], indexed in `classes` order; it sums to testRows' })
  confusionMatrix!: number[][];
  @Field(() => Int, {
    description: 'Rows fitted on: after dropping rows with nulls and after the cap (1,000 rows for RANDOM_FOREST, 2,000 for the others, split 80/20)',
  })
  trainRows!: number;
  @Field(() => Int, { description: 'Held-out rows scored on, after the same cap' }) testRows!: number;
  @Field(() => Int, { description: 'Rows with every used column present, before the cap' }) usableRows!: number;
  @Field(() => Int, { description: 'Rows dropped because the target or a feature was null (or an unparseable date)' }) droppedRows!: number;
  @Field(() => Int, { description: 'Milliseconds spent fitting the classifier' }) trainingMs!: number;
}

@ObjectType()
export class FeatureImportance {
  @Field() feature!: string;
  @Field(() => Float, {
    description: 'Mean drop in test accuracy when the feature is shuffled (permutation importance); near 0 or below for a useless one',
  })
  importance!: number;
}

@ObjectType()
export class ModelComparisonEntry {
  @Field(() => ModelRun) modelRun!: ModelRun;
  @Field(() => Float, { nullable: true, description: 'The metric, null when the run is not COMPLETED' }) value!: number | null;
  @Field(() => Int, { description: '1 is best; equal values share a rank; runs not COMPLETED come last' }) rank!: number;
}

@ObjectType({ description: 'Model runs ranked by one metric' })
export class ModelComparison {
  @Field(() => ModelMetric) metric!: ModelMetric;
  @Field(() => [ModelComparisonEntry], { description: 'Best first' }) entries!: ModelComparisonEntry[];
  @Field(() => ModelRun, { nullable: true, description: 'The top COMPLETED run, null when none is' }) best!: ModelRun | null;
}

@ObjectType()
export class ClassProbability {
  @Field() label!: string;
  @Field(() => Float) p!: number;
}

@ObjectType()
export class Prediction {
  @Field({ description: 'The most probable class' }) label!: string;
  @Field(() => [ClassProbability], { description: 'Every class, most probable first; they sum to 1' }) probabilities!: ClassProbability[];
}

/** What training stored for a run: read fresh for ModelRun.metrics and featureImportance. */
export interface ModelRunResults {
  status: ModelStatus;
  metrics: ModelMetrics | null;
  featureImportance: FeatureImportance[] | null;
}

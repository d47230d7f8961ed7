import { DecisionTreeClassifier } from 'ml-cart';
import KNN from 'ml-knn';
import LogisticRegression from 'ml-logistic-regression';
import { Matrix } from 'ml-matrix';
import { RandomForestClassifier } from 'ml-random-forest';
import type { Algorithm } from './types';

/** A fitted classifier over encoded rows and class indices 0..classCount-1. */
export interface Classifier {
  /** One row per input row: the probability of each class index, summing to 1. */
  predictProba(rows: number[][]): number[][];
  /** The library's own model, as JSON-ready data for `loadClassifier`. */
  toJSON(): object;
}

// Sized for a few hundred rows: on cars and penguins the forest fits in 1 to 2 s
// (bench/models.bench.ts). ml-cart tries every split value with a full pass, so tree fitting
// grows with the square of the rows: about 30 s for a forest on 1,500 rows.
const FOREST_TREES = 50;
/** Share of the features each tree sees (ml-random-forest bags features per tree, not per split). */
const FOREST_FEATURE_SHARE = 0.7;
const TREE_MIN_SAMPLES = 3;
const KNN_NEIGHBOURS = 5;
/**
 * ml-logistic-regression runs plain batch gradient descent on the summed (not mean) log-loss,
 * from zero weights and without an intercept. Dividing the rate by the row count makes the step
 * independent of the data size; on standardised cars and penguins, 1,000 steps at 1 reach the
 * training accuracy of 10,000 steps (and larger rates stay stable).
 */
const LOGISTIC_STEPS = 1000;
const LOGISTIC_MEAN_RATE = 1;

/**
 * The most rows one run trains and scores on (before the 80/20 split): a larger table is cut to
 * a seeded stratified sample of this size, so movies or flights-200k occupy the single training
 * worker for seconds, not minutes. ml-cart fits in time quadratic in the rows, and a forest
 * fits FOREST_TREES trees, hence its lower cap: about 15 s on seattle-weather at 1,000 rows.
 */
export const MAX_TRAINING_ROWS: Readonly<Record<Algorithm, number>> = {
  RANDOM_FOREST: 1_000,
  DECISION_TREE: 2_000,
  LOGISTIC_REGRESSION: 2_000,
  KNN: 2_000,
};

/** Whether the algorithm needs standardised inputs (distances, gradient steps). */
export function needsStandardising(algorithm: Algorithm): boolean {
  return algorithm === 'LOGISTIC_REGRESSION' || algorithm === 'KNN';
}

/** Fits a classifier; `seed` (a 32-bit integer) drives every random choice the algorithm makes. */
export function fitClassifier(algorithm: Algorithm, rows: number[][], labels: number[], classCount: number, seed: number): Classifier {
  switch (algorithm) {
    case 'RANDOM_FOREST': {
      const width = rows[0].length;
      const forest = new RandomForestClassifier({
        nEstimators: FOREST_TREES,
        // An integer 1 would read as the share 1.0 (all features), which for one or two features is what we want anyway.
        maxFeatures: Math.min(width, Math.max(2, Math.ceil(width * FOREST_FEATURE_SHARE))),
        replacement: false,
        useSampleBagging: true,
        noOOB: true,
        seed,
        treeOptions: { minNumSamples: TREE_MIN_SAMPLES },
      });
      forest.train(rows, labels);
      return forestClassifier(forest, classCount);
    }
    case 'DECISION_TREE': {
      const tree = new DecisionTreeClassifier({ minNumSamples: TREE_MIN_SAMPLES });
      tree.train(rows, labels);
      return treeClassifier(tree, classCount);
    }
    case 'LOGISTIC_REGRESSION': {
      const regression = new LogisticRegression({ numSteps: LOGISTIC_STEPS, learningRate: LOGISTIC_MEAN_RATE / rows.length });
      regression.train(new Matrix(withIntercept(rows)), Matrix.columnVector(labels));
      return logisticClassifier(regression, classCount);
    }
    case 'KNN':
      return knnClassifier(new KNN(rows, labels, { k: Math.min(KNN_NEIGHBOURS, rows.length) }), classCount);
  }
}

export function loadClassifier(algorithm: Algorithm, json: object, classCount: number): Classifier {
  switch (algorithm) {
    case 'RANDOM_FOREST':
      return forestClassifier(RandomForestClassifier.load(json as Parameters<typeof RandomForestClassifier.load>[0]), classCount);
    case 'DECISION_TREE':
      return treeClassifier(DecisionTreeClassifier.load(json), classCount);
    case 'LOGISTIC_REGRESSION':
      return logisticClassifier(LogisticRegression.load(json), classCount);
    case 'KNN':
      return knnClassifier(KNN.load(json), classCount);
  }
}

/** The most probable class index; ties go to the lower index so predictions are deterministic. */
export function argmax(probabilities: readonly number[]): number {
  let best = 0;
  for (let c = 1; c < probabilities.length; c++) if (probabilities[c] > probabilities[best]) best = c;
  return best;
}

/** Probabilities: the share of trees voting for each class. */
function forestClassifier(forest: RandomForestClassifier, classCount: number): Classifier {
  return {
    predictProba(rows) {
      const votes = forest.predictionValues(rows);
      return rows.map((_, i) => shares(votes.getRow(i), classCount));
    },
    toJSON: () => withoutTrainingState(forest.toJSON()),
  };
}

/** Probabilities: the class shares of the training rows in the leaf the row falls into. */
function treeClassifier(tree: DecisionTreeClassifier, classCount: number): Classifier {
  return {
    predictProba(rows) {
      return rows.map((row) => {
        // A leaf's distribution only reaches the largest class index it saw; the rest are 0.
        const leaf = tree.root.classify(row).getRow(0);
        return Array.from({ length: classCount }, (_, c) => leaf[c] ?? 0);
      });
    },
    toJSON: () => withoutTrainingState(tree.toJSON()),
  };
}

/** Probabilities: each one-vs-all model's score for its class, normalised to sum to 1. */
function logisticClassifier(regression: LogisticRegression, classCount: number): Classifier {
  return {
    predictProba(rows) {
      const X = new Matrix(withIntercept(rows));
      // Each binary model labels its own class 0, so its sigmoid is the chance of "another class".
      const scores = regression.classifiers.map((binary) => binary.testScores(X));
      return rows.map((_, i) => normalise(Array.from({ length: classCount }, (_, c) => 1 - scores[c][i])));
    },
    toJSON: () => regression.toJSON(),
  };
}

/** Probabilities: the share of the k nearest training rows in each class. */
function knnClassifier(knn: KNN, classCount: number): Classifier {
  return {
    predictProba(rows) {
      return rows.map((row) => {
        const neighbours = knn.kdTree.nearest(row, knn.k);
        // ml-knn stores each training row with its label appended.
        return shares(
          neighbours.map(([point]) => point[point.length - 1]),
          classCount,
        );
      });
    },
    toJSON: () => knn.toJSON(),
  };
}

function shares(labels: readonly number[], classCount: number): number[] {
  const counts = new Array<number>(classCount).fill(0);
  for (const label of labels) counts[label]++;
  return counts.map((n) => n / labels.length);
}

function normalise(weights: number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  return sum > 0 ? weights.map((w) => w / sum) : weights.map(() => 1 / weights.length);
}

function withIntercept(rows: number[][]): number[][] {
  return rows.map((row) => [1, ...row]);
}

/** Tree node fields that only training reads; each node repeats the tree's options, tripling the JSON. */
const TREE_TRAINING_FIELDS = new Set([
  'kind',
  'gainFunction',
  'splitFunction',
  'minNumSamples',
  'maxDepth',
  'gainThreshold',
  'gain',
  'numberSamples',
]);

/**
 * Strips from ml-cart tree nodes what prediction never reads (loading uses only `distribution`
 * on leaves and `splitColumn`, `splitValue`, `left`, `right` on the others).
 */
function withoutTrainingState(model: object): object {
  return JSON.parse(
    JSON.stringify(model, function (this: Record<string, unknown>, key, value: unknown) {
      const isNode = 'distribution' in this || 'splitColumn' in this;
      if (!isNode) return value;
      if (TREE_TRAINING_FIELDS.has(key)) return undefined;
      if ((key === 'splitColumn' || key === 'splitValue') && this.distribution !== undefined) return undefined;
      return value;
    }),
  ) as object;
}

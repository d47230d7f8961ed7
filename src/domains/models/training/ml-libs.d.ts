// Types for the ml-* packages that ship none, limited to what training/ uses.
// Ambient (no top-level import) so `import ... from 'ml-cart'` type-checks.

declare module 'ml-cart' {
  type Matrix = import('ml-matrix').Matrix;

  /** A trained node; leaves carry `distribution`, a row vector of class shares (only as long as the largest class index the leaf saw, plus one). */
  interface TreeNode {
    classify(row: number[]): Matrix;
  }

  export interface DecisionTreeClassifierOptions {
    gainFunction?: 'gini';
    splitFunction?: 'mean';
    minNumSamples?: number;
    maxDepth?: number;
    gainThreshold?: number;
  }

  export class DecisionTreeClassifier {
    constructor(options?: DecisionTreeClassifierOptions);
    root: TreeNode;
    train(trainingSet: number[][] | Matrix, labels: number[]): void;
    predict(toPredict: number[][] | Matrix): number[];
    toJSON(): object;
    static load(model: object): DecisionTreeClassifier;
  }
}

declare module 'ml-logistic-regression' {
  type Matrix = import('ml-matrix').Matrix;

  interface LogisticRegressionTwoClasses {
    /** sigmoid(X·w) per row: the probability of "not this class" (one-vs-all labels it 0, the rest 1). */
    testScores(features: Matrix): number[];
  }

  export default class LogisticRegression {
    constructor(options?: { numSteps?: number; learningRate?: number });
    numberClasses: number;
    classifiers: LogisticRegressionTwoClasses[];
    train(X: Matrix, Y: Matrix): void;
    predict(X: Matrix): number[];
    toJSON(): object;
    static load(model: object): LogisticRegression;
  }
}

declare module 'ml-knn' {
  interface KDTree {
    /** The `maxNodes` nearest training points as [point with its label appended, distance]. */
    nearest(point: number[], maxNodes: number): Array<[number[], number]>;
  }

  export default class KNN {
    constructor(dataset: number[][], labels: number[], options?: { k?: number });
    k: number;
    kdTree: KDTree;
    predict(dataset: number[][]): number[];
    toJSON(): object;
    static load(model: object): KNN;
  }
}

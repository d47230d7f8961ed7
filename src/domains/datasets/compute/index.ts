// The datasets domain's computation: pure functions over Tables, no GraphQL and no database.
export { tableFromChunks } from './chunks';
export { coerceRowsToColumns } from './coerce';
export { normaliseDate } from './dates';
export {
  computeEda,
  correlations,
  MAX_CORRELATED_COLUMNS,
  missingValues,
  outliers,
  type Correlation,
  type EdaReport,
  type MissingValues,
  type OutlierSummary,
} from './eda';
export { inferColumn } from './infer';
export { datasetJobs, type DatasetJobs, type ParseCsvForAppendJob, type ParseCsvJob, type VisualizationJob } from './jobs';
export { DEFAULT_MAX_COLUMNS, DEFAULT_MAX_CSV_BYTES, parseCsvTable, rejectTooWide, tableFromRecords, type ParseCsvOptions } from './parse';
export { chunkTexts, storedTable, storedTableJob, type StoredTableJob } from './stored-table';
export { columnStatistics, computeStatistics, statisticsFromChunks, type ColumnStatistics } from './statistics';
export {
  MAX_HISTOGRAM_BINS,
  MAX_SCATTER_POINTS,
  visualize,
  type BarData,
  type HistogramData,
  type ScatterData,
  type Visualization,
  type VisualizationKind,
  type VisualizationRequest,
} from './visualization';

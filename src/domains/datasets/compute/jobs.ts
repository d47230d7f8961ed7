import type { JobHandlers } from '../../../lib/worker-host';
import type { ColumnInfo, Table } from '../table';
import { coerceRowsToColumns } from './coerce';
import { computeEda, type EdaReport } from './eda';
import { parseCsvTable } from './parse';
import { statisticsFromChunks, type ColumnStatistics } from './statistics';
import { chunkTexts, storedTable, type StoredTableJob } from './stored-table';
import { visualize, type Visualization, type VisualizationRequest } from './visualization';

export interface ParseCsvJob {
  text: string;
  /** Defaults to 50 MiB. */
  maxBytes?: number;
  /** Defaults to DEFAULT_MAX_COLUMNS. */
  maxColumns?: number;
}

export interface ParseCsvForAppendJob extends ParseCsvJob {
  /** The existing dataset's columns, which the rows must fit. */
  columns: ColumnInfo[];
}

export type VisualizationJob = StoredTableJob & VisualizationRequest;

/** The jobs dataset.worker.ts serves, callable in-process too. */
export const datasetJobs = {
  parseCsv: ({ text, maxBytes, maxColumns }: ParseCsvJob): Table => parseCsvTable(text, { maxBytes, maxColumns }),
  parseCsvForAppend: ({ text, maxBytes, maxColumns, columns }: ParseCsvForAppendJob): Table =>
    coerceRowsToColumns(columns, parseCsvTable(text, { maxBytes, maxColumns, inferTypes: false })),
  // Statistics are computed once per version (then cached), so they skip the parsed Table and its keeping.
  statistics: (job: StoredTableJob): ColumnStatistics[] => statisticsFromChunks(job.columns, chunkTexts(job)),
  eda: (job: StoredTableJob): EdaReport => computeEda(storedTable(job)),
  visualization: (job: VisualizationJob): Visualization => visualize(storedTable(job), job),
} satisfies JobHandlers;

export type DatasetJobs = typeof datasetJobs;

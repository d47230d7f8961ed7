import type { JobHandlers } from '../../../lib/worker-host';
import type { ColumnInfo, Table } from '../table';
import { tableFromChunks } from './chunks';
import { coerceRowsToColumns } from './coerce';
import { computeEda, type EdaReport } from './eda';
import { parseCsvTable } from './parse';
import { statisticsFromChunks, type ColumnStatistics } from './statistics';
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

/** A stored dataset: its columns and its chunks' JSON text in order (see tableFromChunks). */
export interface StoredTableJob {
  columns: ColumnInfo[];
  chunks: string[];
}

export type VisualizationJob = StoredTableJob & VisualizationRequest;

/** The jobs dataset.worker.ts serves, callable in-process too. */
export const datasetJobs = {
  parseCsv: ({ text, maxBytes, maxColumns }: ParseCsvJob): Table => parseCsvTable(text, { maxBytes, maxColumns }),
  parseCsvForAppend: ({ text, maxBytes, maxColumns, columns }: ParseCsvForAppendJob): Table =>
    coerceRowsToColumns(columns, parseCsvTable(text, { maxBytes, maxColumns, inferTypes: false })),
  statistics: ({ columns, chunks }: StoredTableJob): ColumnStatistics[] => statisticsFromChunks(columns, chunks),
  eda: ({ columns, chunks }: StoredTableJob): EdaReport => computeEda(tableFromChunks(columns, chunks)),
  visualization: ({ columns, chunks, ...request }: VisualizationJob): Visualization => visualize(tableFromChunks(columns, chunks), request),
} satisfies JobHandlers;

export type DatasetJobs = typeof datasetJobs;

import { parse } from 'csv-parse/sync';
import { InputError } from '../../lib/errors';
import type { Recording } from './recording';

/**
 * Reads a CSV recording in one of two layouts:
 *  - a first column named `time` (seconds), the sample rate derived from it, then one column per channel;
 *  - a first line `# sample_rate=2000`, then a header with one column per channel.
 * Leading `# key=value` lines may also give `subject`. Commas, semicolons or tabs separate cells.
 */
export function readCsvRecording(bytes: Uint8Array): Recording {
  const text = decodeUtf8(bytes);
  const { directives, body, skippedLines } = splitDirectives(text);
  const rows = parseRows(body, skippedLines);
  if (rows.length === 0) throw new InputError('CSV has no header row');
  const [header, ...data] = rows;
  const names = header.cells;
  if (data.length === 0) throw new InputError('CSV has a header but no data rows');

  const hasTime = TIME_COLUMN.test(names[0]);
  const channels = hasTime ? names.slice(1) : names;
  checkChannelNames(channels);
  const columns = toColumns(data, names);
  const declaredRate = directives.get('sample_rate');
  const sampleRate = resolveSampleRate(hasTime ? columns[0] : undefined, declaredRate === undefined ? undefined : parseRate(declaredRate));
  const samples = hasTime ? columns.slice(1) : columns;
  return { format: 'CSV', sampleRate, frameCount: data.length, channels, subject: directives.get('subject') || null, samples };
}

const TIME_COLUMN = /^(time|t)(\s*\(s\)|\s*\[s\]|_s)?$/i;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/** How far one time step may stray from the typical step before the time column counts as irregular. */
const TIME_STEP_TOLERANCE = 0.5;

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new InputError('CSV is not valid UTF-8 text');
  }
}

/** Leading `# key=value` lines (keys lower-cased); other leading `#` lines are comments. */
function splitDirectives(text: string): { directives: Map<string, string>; body: string; skippedLines: number } {
  const directives = new Map<string, string>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let i = 0;
  for (; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    if (!line.startsWith('#')) break;
    const m = /^#\s*([A-Za-z_]+)\s*[=:]\s*(.*)$/.exec(line);
    if (m) directives.set(m[1].toLowerCase(), m[2].trim());
  }
  return { directives, body: lines.slice(i).join('\n'), skippedLines: i };
}

interface Row {
  cells: string[];
  /** 1-based line in the whole file, for messages. */
  line: number;
}

function parseRows(body: string, skippedLines: number): Row[] {
  try {
    const records = parse(body, {
      delimiter: [',', ';', '\t'],
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      info: true,
    }) as unknown as Array<{
      record: string[];
      info: { lines: number };
    }>;
    return records.map((r) => ({ cells: r.record, line: r.info.lines + skippedLines }));
  } catch (err) {
    const e = err as Error & { lines?: number };
    throw new InputError(`CSV is malformed near line ${(e.lines ?? 0) + skippedLines}: ${e.message}`);
  }
}

function checkChannelNames(channels: string[]): void {
  if (channels.length === 0) throw new InputError('CSV has no channel columns');
  const seen = new Set<string>();
  channels.forEach((name, i) => {
    if (name === '') throw new InputError(`CSV column ${i + 1} has no name`);
    if (seen.has(name)) throw new InputError(`CSV has two columns named "${name}"`);
    seen.add(name);
  });
}

function toColumns(data: Row[], names: string[]): Float64Array[] {
  const columns = names.map(() => new Float64Array(data.length));
  data.forEach((row, r) => {
    if (row.cells.length !== names.length) {
      throw new InputError(`CSV line ${row.line} has ${row.cells.length} cells; the header has ${names.length}`, { line: row.line });
    }
    row.cells.forEach((cell, c) => {
      const value = DECIMAL.test(cell) ? Number(cell) : NaN;
      if (!Number.isFinite(value))
        throw new InputError(`CSV line ${row.line}, column "${names[c]}": "${cell}" is not a number`, { line: row.line, column: names[c] });
      columns[c][r] = value;
    });
  });
  return columns;
}

function parseRate(text: string): number {
  const rate = DECIMAL.test(text) ? Number(text) : NaN;
  if (!(rate > 0) || !Number.isFinite(rate)) throw new InputError(`CSV sample_rate "${text}" is not a positive number of samples per second`);
  return rate;
}

/** The time column and the declared rate may both be present; then they must agree. */
function resolveSampleRate(time: Float64Array | undefined, declared: number | undefined): number {
  if (!time) {
    if (declared === undefined) throw new InputError("CSV needs either a first column named time (seconds) or a first line '# sample_rate=<Hz>'");
    return declared;
  }
  const derived = rateFromTime(time);
  if (declared !== undefined && Math.abs(derived - declared) > 0.01 * declared) {
    throw new InputError(`CSV declares sample_rate=${declared} but its time column steps at ${derived.toPrecision(6)} Hz`);
  }
  return declared ?? derived;
}

/**
 * The rate is the mean step (precise even when the file rounds each time); steps are checked
 * against the median so that one gap cannot hide itself by inflating the mean.
 */
function rateFromTime(time: Float64Array): number {
  if (time.length < 2) throw new InputError('CSV time column needs at least two rows to give a sample rate');
  const steps = new Float64Array(time.length - 1);
  for (let i = 1; i < time.length; i++) {
    steps[i - 1] = time[i] - time[i - 1];
    if (!(steps[i - 1] > 0)) throw new InputError(`CSV time does not increase at data row ${i + 1} (${time[i - 1]} then ${time[i]})`);
  }
  const typicalStep = Float64Array.from(steps).sort()[Math.floor(steps.length / 2)];
  steps.forEach((step, i) => {
    if (Math.abs(step - typicalStep) > TIME_STEP_TOLERANCE * typicalStep) {
      throw new InputError(`CSV time steps are irregular at data row ${i + 2}: ${step} s where most steps are ${typicalStep} s`);
    }
  });
  return (time.length - 1) / (time[time.length - 1] - time[0]);
}

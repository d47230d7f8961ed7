import { readCsvRecording } from '../../../src/domains/emg/csv-reader';
import { inputErrorFrom } from '../../helpers/input-error';

const utf8 = (text: string) => new TextEncoder().encode(text);
const read = (text: string) => readCsvRecording(utf8(text));
const errorFor = (text: string) => inputErrorFrom(() => read(text)).message;

describe('CSV reader with a time column', () => {
  test('derives the sample rate from the time column in seconds and keeps the other columns as channels', () => {
    const rec = read('time,EMG1,EMG2\n0,1,-1\n0.0005,2,-2\n0.001,3,-3\n0.0015,4,-4\n');
    expect(rec).toMatchObject({ format: 'CSV', frameCount: 4, channels: ['EMG1', 'EMG2'], subject: null });
    expect(rec.sampleRate).toBeCloseTo(2000, 9);
    expect(rec.samples.map((s) => Array.from(s))).toEqual([
      [1, 2, 3, 4],
      [-1, -2, -3, -4],
    ]);
  });

  test('accepts "Time (s)", CRLF line ends, a byte order mark, semicolons and scientific notation', () => {
    const rec = read('\uFEFFTime (s);a\r\n0.00;1e-3\r\n0.01;-2.5E-4\r\n0.02;.5\r\n');
    expect(rec.sampleRate).toBeCloseTo(100, 9);
    expect(Array.from(rec.samples[0])).toEqual([1e-3, -2.5e-4, 0.5]);
  });

  test('tolerates times rounded in the file, not gaps or reversals', () => {
    expect(read('time,a\n0,1\n0.0003,1\n0.0007,1\n0.001,1\n').sampleRate).toBeCloseTo(3000, 6);
    expect(errorFor('time,a\n0,1\n0.001,1\n0.002,1\n0.010,1\n0.011,1\n')).toMatch(/time steps are irregular at data row 4/);
    expect(errorFor('time,a\n0,1\n0.001,1\n0.001,1\n')).toMatch(/time does not increase at data row 3/);
  });

  test('needs at least two rows to give a rate', () => {
    expect(errorFor('time,a\n0,1\n')).toMatch(/at least two rows/);
  });
});

describe('CSV reader with a # sample_rate line', () => {
  test('reads one column per channel at the declared rate', () => {
    const rec = read('# sample_rate=2000\nleft,right\n1,2\n3,4\n5,6\n');
    expect(rec).toMatchObject({ sampleRate: 2000, frameCount: 3, channels: ['left', 'right'] });
    expect(Array.from(rec.samples[1])).toEqual([2, 4, 6]);
  });

  test('takes a subject and ignores other comment lines and blank lines', () => {
    const rec = read('# exported by the lab\n# sample_rate = 1000\n# subject=Ada Lovelace\n\nch\n1\n2\n');
    expect(rec).toMatchObject({ sampleRate: 1000, subject: 'Ada Lovelace', channels: ['ch'] });
  });

  test('with a time column too, both rates must agree', () => {
    expect(read('# sample_rate=1000\ntime,a\n0,1\n0.001,2\n').sampleRate).toBe(1000);
    expect(errorFor('# sample_rate=500\ntime,a\n0,1\n0.001,2\n')).toMatch(/declares sample_rate=500 but its time column steps at 1000.00 Hz/);
  });

  test('rejects a rate that is not a positive number', () => {
    expect(errorFor('# sample_rate=fast\na\n1\n')).toMatch(/sample_rate "fast" is not a positive number/);
    expect(errorFor('# sample_rate=0\na\n1\n')).toMatch(/sample_rate "0"/);
  });
});

describe('CSV reader on bad input', () => {
  test.each([
    ['empty input', '', /no header row/],
    ['a header only', '# sample_rate=10\na,b\n', /no data rows/],
    ['neither a time column nor a rate', 'a,b\n1,2\n', /either a first column named time .* or a first line '# sample_rate=<Hz>'/],
    ['a ragged row', '# sample_rate=10\na,b\n1,2\n3\n', /CSV line 4 has 1 cells; the header has 2/],
    ['a non-numeric cell', '# sample_rate=10\na,b\n1,2\n3,x\n', /line 4, column "b": "x" is not a number/],
    ['an empty cell', '# sample_rate=10\na,b\n1,\n', /column "b": "" is not a number/],
    ['Infinity', '# sample_rate=10\na\nInfinity\n', /"Infinity" is not a number/],
    ['hexadecimal', '# sample_rate=10\na\n0x10\n', /"0x10" is not a number/],
    ['duplicate channel names', '# sample_rate=10\na,a\n1,2\n', /two columns named "a"/],
    ['a blank channel name', '# sample_rate=10\na,\n1,2\n', /column 2 has no name/],
    ['a time column and no channels', 'time\n0\n1\n', /no channel columns/],
    ['an unclosed quote', '# sample_rate=10\na\n"1\n', /malformed near line/],
  ])('%s', (_, text, message) => {
    expect(errorFor(text)).toMatch(message);
  });

  test('bytes that are not UTF-8', () => {
    expect(inputErrorFrom(() => readCsvRecording(Uint8Array.of(0x61, 0x0a, 0xff, 0xfe))).message).toMatch(/not valid UTF-8/);
  });
});

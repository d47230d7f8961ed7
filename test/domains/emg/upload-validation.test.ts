import { Readable } from 'node:stream';
import { type ExecutionResult, print } from 'graphql';
import { UploadEmgRecordingDocument } from '../../generated/graphql';
import { DATABASE_KINDS } from '../../helpers/databases';
import { codes, startTestGateway, type TestGateway } from '../../helpers/gateway';
import { base64 } from '../../helpers/encoding';
import { shortDemo, sineCsv, storedIds } from './helpers';

const HUNDRED_MB = 100 * 1024 * 1024;

describe.each(DATABASE_KINDS)('refusing EMG uploads that are not a readable file (%s)', (kind) => {
  let gw: TestGateway;
  let token: string;

  beforeAll(async () => {
    gw = await startTestGateway(kind);
    token = await gw.token('physio');
  });
  afterAll(async () => {
    await gw?.close();
  });

  /** Uploads and expects BAD_USER_INPUT with nothing stored; returns the error message. */
  async function refused(format: 'C3D' | 'CSV', contentBase64: string, name = 'refused'): Promise<string> {
    const before = await storedIds(gw);
    const res = await gw.gql(UploadEmgRecordingDocument, { name, format, contentBase64 }, { token });
    expect(res.data).toBeNull();
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(await storedIds(gw)).toEqual(before);
    return res.errors![0].message;
  }

  const csv = base64(sineCsv([50], 1000, 0.2));

  it.each([
    ['a length that is not a multiple of 4', csv.slice(0, -1), /multiple of 4/],
    ['a character outside the alphabet (Buffer.from would skip it)', `${csv.slice(0, 8)}*${csv.slice(9)}`, /"\*" at position 8/],
    ['line breaks', `${csv.slice(0, 76)}\n${csv.slice(77)}`, /whitespace/],
    ['the URL-safe alphabet', `-_${csv.slice(2)}`, /"-" at position 0/],
    ['padding inside the text', `${csv.slice(0, 4)}====${csv.slice(8)}`, /padding "=" at position 4/],
    ['missing padding', 'QUJDRA', /multiple of 4/],
    ['non-zero bits after the last byte', 'QUJDRB==', /not the canonical encoding/],
  ])('refuses base64 with %s', async (_, text, message) => {
    expect(await refused('CSV', text)).toMatch(message);
  });

  it('refuses a file over 100 MB decoded, from the length of the text alone', async () => {
    // 'A' is valid base64 (zero bits): only the size is wrong. The body is streamed in chunks of
    // one buffer, so the test itself holds no 140 MB string or buffer.
    const length = Math.ceil((HUNDRED_MB + 1) / 3) * 4;
    const chunk = Buffer.alloc(1024 * 1024, 'A');
    async function* body() {
      yield Buffer.from(`{"query":${JSON.stringify(print(UploadEmgRecordingDocument))},"variables":{"name":"huge","format":"C3D","contentBase64":"`);
      for (let sent = 0; sent < length; sent += chunk.length) yield chunk.subarray(0, Math.min(chunk.length, length - sent));
      yield Buffer.from('"}}');
    }
    const before = await storedIds(gw);
    const res = await fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: Readable.toWeb(Readable.from(body())) as ReadableStream,
      duplex: 'half',
    } as RequestInit);
    const json = (await res.json()) as ExecutionResult;
    expect(codes(json)).toEqual(['BAD_USER_INPUT']);
    expect(json.errors![0].message).toMatch(/104857602 bytes; at most 104857600 bytes/);
    expect(await storedIds(gw)).toEqual(before);
  });

  it("refuses a corrupt C3D file with the reader's reason", async () => {
    const bytes = await shortDemo(gw, 21);
    expect(await refused('C3D', base64(bytes.subarray(0, 300)))).toMatch(/shorter than the 512-byte header/);
    const notC3d = Buffer.from(bytes);
    notC3d[1] = 0x00;
    expect(await refused('C3D', base64(notC3d))).toMatch(/not a C3D file/);
    expect(await refused('C3D', base64(bytes.subarray(0, Math.floor(bytes.byteLength * 0.6))))).toMatch(/C3D/);
  });

  it('refuses a CSV that is not a recording', async () => {
    expect(await refused('CSV', base64('time,ch1\n0,1\n0.001,x\n'))).toMatch(/"x" is not a number/);
    expect(await refused('CSV', base64('ch1,ch2\n1,2\n'))).toMatch(/sample_rate/);
    expect(await refused('CSV', base64(''))).toMatch(/CSV/);
  });

  it('refuses a C3D file declared as CSV, and a stored CSV declared again as C3D', async () => {
    expect(await refused('CSV', base64(await shortDemo(gw, 22)))).toMatch(/UTF-8|CSV/);
    const stored = await gw.gql(UploadEmgRecordingDocument, { name: 'stored csv', format: 'CSV', contentBase64: csv }, { token });
    expect(stored.errors).toBeUndefined();
    expect(await refused('C3D', csv)).toMatch(/stored already as CSV/);
  });

  it('refuses an empty name', async () => {
    expect(await refused('CSV', csv, '   ')).toMatch(/name must not be empty/);
  });
});

import { contentId } from '../../../src/domains/emg/emg.service';
import { insertRecording } from '../../../src/domains/emg/emg.repository';
import { EmgRecordingsAnalysisDocument, UploadEmgRecordingDocument } from '../../generated/graphql';
import { DATABASE_KINDS } from '../../helpers/databases';
import { base64 } from '../../helpers/encoding';
import { codes, startTestGateway, type TestGateway } from '../../helpers/gateway';
import { sineCsv, storedIds } from './helpers';

describe.each(DATABASE_KINDS)('EMG recordings too short to analyse (%s)', (kind) => {
  let gw: TestGateway;
  let token: string;

  beforeAll(async () => {
    gw = await startTestGateway(kind);
    token = await gw.token('physio');
  });
  afterAll(async () => {
    await gw?.close();
  });

  const upload = (name: string, csv: string) => gw.gql(UploadEmgRecordingDocument, { name, format: 'CSV', contentBase64: base64(csv) }, { token });

  it.each([
    ['2 samples', 'time,ch1\n0,0.1\n0.001,0.2\n', /2 samples per channel; analysis needs at least 8/],
    ['7 samples', sineCsv([50], 1000, 0.007), /7 samples per channel; analysis needs at least 8/],
    [
      'a rate too low for the default 250 ms window',
      `# sample_rate=20\nch1\n${'0.1\n0.2\n'.repeat(50)}`,
      /windowMs 250 holds only 5 samples at 20 Hz/,
    ],
  ])('refuses %s at upload with BAD_USER_INPUT and stores nothing', async (_what, csv, message) => {
    const before = await storedIds(gw);
    const res = await upload('short', csv);
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors![0].message).toMatch(message);
    expect(await storedIds(gw)).toEqual(before);
  });

  it('stores a recording of 8 samples, the least analysis needs, and analyses it', async () => {
    const res = await upload('eight', sineCsv([50], 1000, 0.008));
    expect(res.errors).toBeUndefined();
    const listed = await gw.gql(EmgRecordingsAnalysisDocument, { limit: 50 });
    expect(listed.errors).toBeUndefined();
    expect(listed.data!.emgRecordings.find((r) => r.id === res.data!.uploadEmgRecording.id)?.analysis?.channels).toHaveLength(1);
  });

  it('one stored recording that cannot be analysed errors on its own item: the list and the other analyses still answer', async () => {
    // As a recording stored before uploads were checked would be.
    const bytes = new TextEncoder().encode('time,ch1\n0,0.1\n0.001,0.2\n');
    const bad = await insertRecording(gw.gateway.db, await contentId(bytes), 'old and short', 'CSV', bytes, null);
    const good = (await upload('good', sineCsv([60], 1000, 0.3))).data!.uploadEmgRecording.id;
    await gw.settled();

    const res = await gw.gql(EmgRecordingsAnalysisDocument, { limit: 50 });
    expect(res.data).not.toBeNull();
    const list = res.data!.emgRecordings;
    const badIndex = list.findIndex((r) => r.id === bad.id);
    expect(list[badIndex]).toMatchObject({ id: bad.id, name: 'old and short', analysis: null });
    expect(list.find((r) => r.id === good)?.analysis?.channels).toHaveLength(1);
    // Its metadata reads (two samples parse); its analysis is the one error, on its own item.
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors![0].path).toEqual(['emgRecordings', badIndex, 'analysis']);
  });
});

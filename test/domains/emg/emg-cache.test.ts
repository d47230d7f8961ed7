import { DeleteEmgRecordingDocument, EmgAnalysisDocument, EmgMetadataDocument, UploadEmgRecordingDocument } from '../../generated/graphql';
import { tagKey } from '../../../src/cache/keys';
import { DATABASE_KINDS } from '../../helpers/databases';
import { cacheOf, startTestGateway, type TestGateway } from '../../helpers/gateway';
import { base64 } from '../../helpers/encoding';
import { deletePrefix, keysUnder, SHARED_REDIS_URL, testPrefix, readKeys } from '../../helpers/redis';
import { shortDemo, sineCsv } from './helpers';

describe.each(DATABASE_KINDS)('caching EMG metadata and analysis on Redis (%s)', (kind) => {
  const prefix = testPrefix();
  let gw: TestGateway;
  let token: string;
  let c3d: Uint8Array;
  const csv = sineCsv([55], 1000, 1);

  beforeAll(async () => {
    gw = await startTestGateway(kind, { REDIS_URL: SHARED_REDIS_URL, REDIS_CACHE_PREFIX: prefix, CACHE_DEBUG: '1', CACHE_RESPONSES: '0' });
    token = await gw.token('physio');
    c3d = await shortDemo(gw, 41);
  });
  afterAll(async () => {
    await gw?.close();
    await deletePrefix(SHARED_REDIS_URL, prefix);
  });

  async function upload(format: 'C3D' | 'CSV', content: Uint8Array | string): Promise<string> {
    const res = await gw.gql(UploadEmgRecordingDocument, { name: `cached ${format}`, format, contentBase64: base64(content) }, { token });
    expect(res.errors).toBeUndefined();
    return res.data!.uploadEmgRecording.id;
  }

  it('computes analysis and metadata once: the second read of each is a hit with the same value', async () => {
    const id = await upload('C3D', c3d);
    const first = await gw.gql(EmgAnalysisDocument, { id });
    expect(first.errors).toBeUndefined();
    expect(cacheOf(first)).toEqual({ 'EmgRecording.analysis': { hits: 0, misses: 1 } });
    const second = await gw.gql(EmgAnalysisDocument, { id });
    expect(cacheOf(second)).toEqual({ 'EmgRecording.analysis': { hits: 1, misses: 0 } });
    expect(second.data).toEqual(first.data);

    expect(cacheOf(await gw.gql(EmgMetadataDocument, { id }))).toEqual({ 'EmgRecording.metadata': { hits: 0, misses: 1 } });
    expect(cacheOf(await gw.gql(EmgMetadataDocument, { id }))).toEqual({ 'EmgRecording.metadata': { hits: 1, misses: 0 } });
  });

  it('keys analysis by windowMs, the default and an explicit 250 being the same entry', async () => {
    // A recording of its own: ids are content hashes, and c3d's analysis is cached by the test above.
    const id = await upload('C3D', await shortDemo(gw, 43));
    expect(cacheOf(await gw.gql(EmgAnalysisDocument, { id }))['EmgRecording.analysis']).toEqual({ hits: 0, misses: 1 });
    expect(cacheOf(await gw.gql(EmgAnalysisDocument, { id, windowMs: 250 }))['EmgRecording.analysis']).toEqual({ hits: 1, misses: 0 });
    expect(cacheOf(await gw.gql(EmgAnalysisDocument, { id, windowMs: 500 }))['EmgRecording.analysis']).toEqual({ hits: 0, misses: 1 });
    expect(cacheOf(await gw.gql(EmgAnalysisDocument, { id, windowMs: 500 }))['EmgRecording.analysis']).toEqual({ hits: 1, misses: 0 });
  });

  it('tags entries with the recording: readable keys under the prefix', async () => {
    const id = await upload('C3D', c3d);
    await gw.gql(EmgMetadataDocument, { id });
    const keys = await keysUnder(SHARED_REDIS_URL, prefix);
    expect(keys).toContain(tagKey({ prefix }, `EmgRecording:${id}`));
    expect(keys.some((k) => k.startsWith(`${prefix}:`) && k.includes(`:f:EmgRecording.metadata:${id}:`))).toBe(true);
  });

  it('refuses a bad windowMs without caching anything', async () => {
    const id = await upload('C3D', c3d);
    const before = await keysUnder(SHARED_REDIS_URL, prefix);
    const res = await gw.gql(EmgAnalysisDocument, { id, windowMs: 49 });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await keysUnder(SHARED_REDIS_URL, prefix)).toEqual(before);
  });

  it('delete then re-upload of the same content invalidates that recording only: its next read misses', async () => {
    const id = await upload('C3D', c3d);
    const other = await upload('CSV', csv);
    await gw.gql(EmgAnalysisDocument, { id });
    await gw.gql(EmgAnalysisDocument, { id: other });
    expect(cacheOf(await gw.gql(EmgAnalysisDocument, { id }))['EmgRecording.analysis']).toEqual({ hits: 1, misses: 0 });

    const deleted = await gw.gql(DeleteEmgRecordingDocument, { id }, { token });
    expect(deleted.data?.deleteEmgRecording).toBe(true);
    const gone = await gw.gql(EmgAnalysisDocument, { id });
    expect(gone.data?.emgRecording).toBeNull();
    expect(await upload('C3D', c3d)).toBe(id);

    const after = await gw.gql(EmgAnalysisDocument, { id });
    expect(after.errors).toBeUndefined();
    expect(cacheOf(after)['EmgRecording.analysis']).toEqual({ hits: 0, misses: 1 });
    expect(after.data!.emgRecording!.analysis!.channels).toHaveLength(4);
    expect(cacheOf(await gw.gql(EmgAnalysisDocument, { id: other }))['EmgRecording.analysis']).toEqual({ hits: 1, misses: 0 });
  });

  it('an upload of new content changes the EmgRecording type tag; the same content again changes nothing', async () => {
    const text = sineCsv([65], 1000, 1);
    const id = await upload('CSV', text);
    await gw.settled();
    const [entityBefore, typeBefore] = await tagVersions([`EmgRecording:${id}`, 'EmgRecording']);
    expect(typeBefore).not.toBeNull();
    // Ids are content hashes: the same bytes are the same recording, and what is cached of it stays true.
    await upload('CSV', text);
    await gw.settled();
    expect(await tagVersions([`EmgRecording:${id}`, 'EmgRecording'])).toEqual([entityBefore, typeBefore]);
    await upload('CSV', sineCsv([66], 1000, 1));
    await gw.settled();
    const [entityAfter, typeAfter] = await tagVersions([`EmgRecording:${id}`, 'EmgRecording']);
    expect(entityAfter).toBe(entityBefore);
    expect(typeAfter).not.toBe(typeBefore);
  });

  async function tagVersions(tags: string[]): Promise<(string | null)[]> {
    return readKeys(
      SHARED_REDIS_URL,
      tags.map((t) => tagKey({ prefix }, t)),
    );
  }
});

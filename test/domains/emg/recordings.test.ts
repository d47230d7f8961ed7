import { DeleteEmgRecordingDocument, EmgRecordingDocument, EmgRecordingsDocument, UploadEmgRecordingDocument } from '../../generated/graphql';
import { DATABASE_KINDS } from '../../helpers/databases';
import { codes, startTestGateway, type TestGateway } from '../../helpers/gateway';
import { base64, sha256 } from '../../helpers/encoding';
import { shortDemo, sineCsv, storedIds } from './helpers';

describe.each(DATABASE_KINDS)('storing, listing and deleting EMG recordings (%s)', (kind) => {
  let gw: TestGateway;
  let token: string;

  beforeAll(async () => {
    gw = await startTestGateway(kind);
    token = await gw.token('physio');
  });
  afterAll(async () => {
    await gw?.close();
  });

  const upload = (name: string, format: 'C3D' | 'CSV', content: Uint8Array | string) =>
    gw.gql(UploadEmgRecordingDocument, { name, format, contentBase64: base64(content) }, { token });

  it('stores an uploaded file under the SHA-256 of its content and returns it', async () => {
    const bytes = await shortDemo(gw, 11);
    const res = await upload('  knee extension  ', 'C3D', bytes);
    expect(res.errors).toBeUndefined();
    const recording = res.data!.uploadEmgRecording;
    expect(recording).toMatchObject({ id: sha256(bytes), name: 'knee extension', format: 'C3D', byteSize: bytes.byteLength });
    expect(Number.isNaN(Date.parse(recording.createdAt))).toBe(false);
    expect((await gw.gql(EmgRecordingDocument, { id: recording.id })).data!.emgRecording).toEqual(recording);
  });

  it('keeps the bytes exactly (bytea round trip), for a large file and for one of a few hundred bytes', async () => {
    const large = await shortDemo(gw, 12);
    const small = Buffer.from(sineCsv([50], 1000, 0.02));
    expect(small.byteLength).toBeLessThan(1024);
    for (const [format, bytes] of [
      ['C3D', large],
      ['CSV', small],
    ] as const) {
      const id = (await upload(`round trip ${format}`, format, bytes)).data!.uploadEmgRecording.id;
      const [row] = await gw.gateway.db.query<{ bytes: Uint8Array; byte_size: number }>('SELECT bytes, byte_size FROM emg_recording WHERE id = $1', [
        id,
      ]);
      expect(row.bytes).toBeInstanceOf(Uint8Array);
      expect(row.byte_size).toBe(bytes.byteLength);
      // Buffer.equals: jest's element-by-element toEqual takes seconds on a megabyte.
      expect(Buffer.from(row.bytes.buffer, row.bytes.byteOffset, row.bytes.byteLength).equals(bytes)).toBe(true);
      expect(sha256(row.bytes)).toBe(id);
    }
  });

  it('stores the same content once: a second upload returns the first recording, whatever its name', async () => {
    const bytes = await shortDemo(gw, 13);
    const first = (await upload('first name', 'C3D', bytes)).data!.uploadEmgRecording;
    const second = await upload('second name', 'C3D', bytes);
    expect(second.errors).toBeUndefined();
    expect(second.data!.uploadEmgRecording).toEqual(first);
    expect((await storedIds(gw)).filter((id) => id === first.id)).toHaveLength(1);
  });

  it('stores the same content once when two uploads of it race', async () => {
    const bytes = Buffer.from(sineCsv([40, 90], 1000, 0.5));
    const [a, b] = await Promise.all([upload('racer a', 'CSV', bytes), upload('racer b', 'CSV', bytes)]);
    expect(a.errors).toBeUndefined();
    expect(b.errors).toBeUndefined();
    expect(b.data!.uploadEmgRecording.id).toBe(a.data!.uploadEmgRecording.id);
    expect((await storedIds(gw)).filter((id) => id === sha256(bytes))).toHaveLength(1);
  });

  it('lists recordings newest first, limit 50 by default and from 1 to 500', async () => {
    const older = (await upload('older', 'CSV', sineCsv([30], 500, 0.2))).data!.uploadEmgRecording;
    const newer = (await upload('newer', 'CSV', sineCsv([31], 500, 0.2))).data!.uploadEmgRecording;
    const all = (await gw.gql(EmgRecordingsDocument, {})).data!.emgRecordings;
    expect(all.length).toBe((await storedIds(gw)).length);
    expect(all.slice(0, 2).map((r) => r.id)).toEqual([newer.id, older.id]);
    const times = all.map((r) => Date.parse(r.createdAt));
    expect(times).toEqual([...times].sort((x, y) => y - x));
    expect((await gw.gql(EmgRecordingsDocument, { limit: 1 })).data!.emgRecordings.map((r) => r.id)).toEqual([newer.id]);
    for (const limit of [0, 501, -1]) expect(codes(await gw.gql(EmgRecordingsDocument, { limit }))).toEqual(['BAD_USER_INPUT']);
  });

  it('answers null for an unknown id, BAD_USER_INPUT for a malformed one', async () => {
    for (const id of ['0'.repeat(64), sha256(Buffer.from('never uploaded'))]) {
      const res = await gw.gql(EmgRecordingDocument, { id });
      expect(res.errors).toBeUndefined();
      expect(res.data!.emgRecording).toBeNull();
    }
    // Not a recording id (ids are lowercase hex, as the gateway hands them out): refused before any lookup.
    for (const id of ['not-a-hash', sha256(Buffer.from('never uploaded')).toUpperCase()])
      expect({ id, codes: codes(await gw.gql(EmgRecordingDocument, { id })) }).toEqual({ id, codes: ['BAD_USER_INPUT'] });
  });

  it('deletes a recording: it is gone, and deleting it again is NOT_FOUND', async () => {
    const { id } = (await upload('doomed', 'CSV', sineCsv([60], 1000, 0.3))).data!.uploadEmgRecording;
    const deleted = await gw.gql(DeleteEmgRecordingDocument, { id }, { token });
    expect(deleted.errors).toBeUndefined();
    expect(deleted.data!.deleteEmgRecording).toBe(true);
    expect((await gw.gql(EmgRecordingDocument, { id })).data!.emgRecording).toBeNull();
    expect(await storedIds(gw)).not.toContain(id);
    expect(codes(await gw.gql(DeleteEmgRecordingDocument, { id }, { token }))).toEqual(['NOT_FOUND']);
    expect(codes(await gw.gql(DeleteEmgRecordingDocument, { id: 'no-such-recording' }, { token }))).toEqual(['BAD_USER_INPUT']);
  });

  it('uploading and deleting need a signed-in user', async () => {
    const bytes = Buffer.from(sineCsv([70], 1000, 0.3));
    const before = await storedIds(gw);
    const anonymous = await gw.gql(UploadEmgRecordingDocument, { name: 'anonymous', format: 'CSV', contentBase64: base64(bytes) });
    expect(codes(anonymous)).toEqual(['UNAUTHENTICATED']);
    expect(await storedIds(gw)).toEqual(before);

    const { id } = (await upload('kept', 'CSV', bytes)).data!.uploadEmgRecording;
    expect(codes(await gw.gql(DeleteEmgRecordingDocument, { id }))).toEqual(['UNAUTHENTICATED']);
    expect(await storedIds(gw)).toContain(id);
  });
});

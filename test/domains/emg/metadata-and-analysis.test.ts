import { EmgAnalysisDocument, EmgMetadataDocument, EmgRecordingsAnalysisDocument, UploadEmgRecordingDocument } from '../../generated/graphql';
import { DATABASE_KINDS } from '../../helpers/databases';
import { codes, startTestGateway, type TestGateway } from '../../helpers/gateway';
import { base64 } from '../../helpers/encoding';
import { shortDemo, sineCsv } from './helpers';

describe.each(DATABASE_KINDS)('EMG metadata and analysis through GraphQL (%s)', (kind) => {
  let gw: TestGateway;
  let c3dId: string;
  let csvId: string;

  beforeAll(async () => {
    gw = await startTestGateway(kind);
    const token = await gw.token('physio');
    const upload = async (name: string, format: 'C3D' | 'CSV', content: Uint8Array | string) => {
      const res = await gw.gql(UploadEmgRecordingDocument, { name, format, contentBase64: base64(content) }, { token });
      expect(res.errors).toBeUndefined();
      return res.data!.uploadEmgRecording.id;
    };
    c3dId = await upload('demo', 'C3D', await shortDemo(gw, 31, 3));
    csvId = await upload('sines', 'CSV', sineCsv([40, 120], 1000, 2, 'Sine subject'));
  });
  afterAll(async () => {
    await gw?.close();
  });

  it("reads a C3D recording's metadata from its parameters", async () => {
    const res = await gw.gql(EmgMetadataDocument, { id: c3dId });
    expect(res.errors).toBeUndefined();
    expect(res.data!.emgRecording!.metadata).toEqual({
      format: 'C3D',
      sampleRate: 2000,
      durationSeconds: 3,
      frameCount: 6000,
      channelCount: 4,
      channels: ['Vastus lateralis', 'Rectus femoris', 'Biceps femoris', 'Gastrocnemius medialis'],
      subject: 'Demo subject 31',
    });
  });

  it("reads a CSV recording's metadata, its rate from the time column", async () => {
    const metadata = (await gw.gql(EmgMetadataDocument, { id: csvId })).data!.emgRecording!.metadata!;
    expect(metadata).toMatchObject({
      format: 'CSV',
      frameCount: 2000,
      channelCount: 2,
      channels: ['sine 40 Hz', 'sine 120 Hz'],
      subject: 'Sine subject',
    });
    expect(metadata.sampleRate).toBeCloseTo(1000, 6);
    expect(metadata.durationSeconds).toBeCloseTo(2, 6);
  });

  it('analyses each channel of a sine CSV: median and mean frequency at the sine, RMS of amplitude / √2, no fatigue', async () => {
    const res = await gw.gql(EmgAnalysisDocument, { id: csvId });
    expect(res.errors).toBeUndefined();
    const analysis = res.data!.emgRecording!.analysis!;
    expect(analysis.windowMs).toBe(250);
    expect(analysis.channels.map((c) => c.channel)).toEqual(['sine 40 Hz', 'sine 120 Hz']);
    for (const [c, f] of [40, 120].entries()) {
      const channel = analysis.channels[c];
      expect(Math.abs(channel.medianFrequency - f)).toBeLessThan(2);
      expect(Math.abs(channel.meanFrequency - f)).toBeLessThan(2);
      expect(channel.rms).toBeCloseTo(1e-3 / Math.SQRT2, 5);
      expect(channel.peakAmplitude).toBeLessThanOrEqual(1e-3);
      expect(channel.peakAmplitude).toBeGreaterThan(0.99e-3);
      // Two crossings per period over 2 s.
      expect(Math.abs(channel.zeroCrossings - 4 * f)).toBeLessThanOrEqual(2);
      expect(Math.abs(channel.fatigueSlope!)).toBeLessThan(0.5);
    }
  });

  it('analyses a generated C3D recording with every feature in a plausible range', async () => {
    const analysis = (await gw.gql(EmgAnalysisDocument, { id: c3dId, windowMs: 500 })).data!.emgRecording!.analysis!;
    expect(analysis.windowMs).toBe(500);
    expect(analysis.channels).toHaveLength(4);
    for (const channel of analysis.channels) {
      expect(channel.rms).toBeGreaterThan(1e-5);
      expect(channel.rms).toBeLessThan(1e-3);
      expect(channel.mav).toBeLessThan(channel.rms);
      expect(channel.peakAmplitude).toBeGreaterThan(channel.rms);
      expect(channel.waveformLength).toBeGreaterThan(0);
      expect(channel.zeroCrossings).toBeGreaterThan(0);
      expect(channel.medianFrequency).toBeGreaterThan(40);
      expect(channel.medianFrequency).toBeLessThan(200);
      expect(channel.fatigueSlope).not.toBeNull();
    }
  });

  it('refuses windowMs outside 50 to 5000 ms', async () => {
    for (const windowMs of [49, 5001, 0, -250]) {
      const res = await gw.gql(EmgAnalysisDocument, { id: csvId, windowMs });
      expect(codes(res)).toEqual(['BAD_USER_INPUT']);
      expect(res.errors![0].message).toMatch(/windowMs must be an integer from 50 to 5000/);
    }
    for (const windowMs of [50, 5000]) expect((await gw.gql(EmgAnalysisDocument, { id: csvId, windowMs })).errors).toBeUndefined();
  });

  it('a window longer than the recording gives no fatigue slope (null), not an error', async () => {
    const analysis = (await gw.gql(EmgAnalysisDocument, { id: csvId, windowMs: 5000 })).data!.emgRecording!.analysis!;
    expect(analysis.channels.map((c) => c.fatigueSlope)).toEqual([null, null]);
  });

  it('answers metadata and analysis for several recordings in one query', async () => {
    const res = await gw.gql(EmgRecordingsAnalysisDocument, { limit: 10, windowMs: 250 });
    expect(res.errors).toBeUndefined();
    const byName = Object.fromEntries(res.data!.emgRecordings.map((r) => [r.name, r]));
    expect(byName.demo.metadata!.channelCount).toBe(4);
    expect(byName.demo.analysis!.channels).toHaveLength(4);
    expect(byName.sines.metadata!.channels).toEqual(['sine 40 Hz', 'sine 120 Hz']);
    expect(byName.sines.analysis!.channels.map((c) => Math.round(c.medianFrequency / 10) * 10)).toEqual([40, 120]);
  });
});

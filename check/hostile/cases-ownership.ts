/**
 * Hostile cases for issue 16's items 8 (ownership) and 9 (data-shape limits), kept apart from
 * cases.ts so the two lists merge without conflicts; check.ts runs them after those.
 */
import { gql, type Case } from './cases';

/** The entities these cases attack, created by alice before the cases run; their ids go into ctx. */
export async function setUpOwnershipAndShape(url: string, ctx: Record<string, string>): Promise<void> {
  const recording = await gql(
    url,
    {
      query: 'mutation($b: String!) { uploadEmgRecording(name: "alice", format: CSV, contentBase64: $b) { id } }',
      variables: { b: Buffer.from(sineCsv(300)).toString('base64') },
    },
    ctx.alice,
  );
  const run = await gql(
    url,
    { query: `mutation { trainModel(datasetId: "${ctx.dataset}", target: "c", features: ["a", "b"], algorithm: DECISION_TREE) { id } }` },
    ctx.alice,
  );
  const wide = await gql(
    url,
    { query: 'mutation($csv: String!) { createDataset(name: "wide", csv: $csv) { id } }', variables: { csv: wideCsv(1000, 50) } },
    ctx.alice,
  );
  ctx.recording = String(recording.json?.data?.uploadEmgRecording?.id ?? '0'.repeat(64));
  ctx.run = String(run.json?.data?.trainModel?.id ?? '00000000-0000-4000-8000-000000000000');
  // Training in the background would count as the cases' freezes: wait until it is done (at most 30 s).
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
    const status = (await gql(url, { query: `{ modelRun(id: "${ctx.run}") { status } }` })).json?.data?.modelRun?.status;
    if (status !== 'QUEUED' && status !== 'TRAINING') break;
  }
  ctx.wide = String(wide.json?.data?.createDataset?.id ?? '1');
}

const emgUpload = (csv: string) => ({
  query: 'mutation($b: String!) { uploadEmgRecording(name: "short", format: CSV, contentBase64: $b) { id } }',
  variables: { b: Buffer.from(csv).toString('base64') },
});

export const ownershipAndShapeCases: Case[] = [
  // --- Item 8: ownership ---
  {
    name: 'bob deletes alice’s EMG recording (ownership)',
    send: (url, c) => gql(url, { query: `mutation { deleteEmgRecording(id: "${c.recording}") }` }, c.bob),
    expect: { code: 'FORBIDDEN', maxKeysAdded: 0 },
  },
  {
    name: 'bob deletes alice’s model run (ownership)',
    send: (url, c) => gql(url, { query: `mutation { deleteModelRun(id: "${c.run}") }` }, c.bob),
    expect: { code: 'FORBIDDEN', maxKeysAdded: 0 },
  },
  {
    name: 'bob retrains alice’s model run (ownership)',
    send: (url, c) => gql(url, { query: `mutation { retrainModelRun(id: "${c.run}") { status } }` }, c.bob),
    expect: { code: 'FORBIDDEN', maxKeysAdded: 0 },
  },
  {
    name: 'bob appends a 1 MB CSV to alice’s dataset, refused before parsing (ownership)',
    send: (url, c) =>
      gql(
        url,
        {
          query: 'mutation($id: ID!, $csv: String!) { appendDatasetRows(id: $id, csv: $csv) { id } }',
          variables: { id: c.dataset, csv: `a,b,c\n${'1,2,x\n'.repeat(170_000)}` },
        },
        c.bob,
      ),
    expect: { code: 'FORBIDDEN', maxKeysAdded: 0 },
  },
  // --- Item 9: data-shape limits ---
  {
    name: 'createDataset with 1,001 columns (DATASET_MAX_COLUMNS)',
    send: (url, c) =>
      gql(
        url,
        { query: 'mutation($csv: String!) { createDataset(name: "too-wide", csv: $csv) { id } }', variables: { csv: wideCsv(1001, 1) } },
        c.bob,
      ),
    expect: { code: 'BAD_USER_INPUT', maxKeysAdded: 0 },
  },
  {
    name: 'eda of a 1,000-column dataset (correlations capped at 50 columns)',
    send: (url, c) => gql(url, { query: `{ dataset(id: "${c.wide}") { eda { correlations { r } missing { count } outliers { count } } } }` }),
    expect: { status: 200, maxKeysAdded: 12, writesAllowed: false },
  },
  {
    name: 'datasets { columns } with a 1,000-column dataset listed',
    send: (url) => gql(url, { query: '{ datasets(limit: 50) { id columns { name type } } }' }),
    expect: { status: 200, maxKeysAdded: 12 },
  },
  {
    name: 'an EMG CSV with 7 samples is refused at upload',
    send: (url, c) => gql(url, emgUpload(sineCsv(7)), c.bob),
    expect: { code: 'BAD_USER_INPUT', maxKeysAdded: 0 },
  },
  {
    name: 'an EMG CSV at 20 Hz (no 250 ms window of 8 samples) is refused at upload',
    send: (url, c) => gql(url, emgUpload(`# sample_rate=20\nch1\n${'0.1\n0.2\n'.repeat(50)}`), c.bob),
    expect: { code: 'BAD_USER_INPUT', maxKeysAdded: 0 },
  },
  {
    name: 'emgRecordings { analysis } answers the list',
    send: async (url) => {
      const r = await gql(url, { query: '{ emgRecordings(limit: 50) { id analysis { windowMs } } }' });
      return { ...r, leak: r.json?.data === null || r.json?.data?.emgRecordings === null ? 'the list was nulled' : undefined };
    },
    expect: { status: 200 },
  },
];

/** A CSV recording with a time column at 1 kHz: `samples` rows of a 50 Hz sine. */
function sineCsv(samples: number): string {
  const rows = Array.from({ length: samples }, (_, i) => `${(i / 1000).toFixed(6)},${Math.sin((2 * Math.PI * 50 * i) / 1000).toFixed(6)}`);
  return `time,ch1\n${rows.join('\n')}\n`;
}

function wideCsv(columns: number, rows: number): string {
  const header = Array.from({ length: columns }, (_, c) => `c${c}`).join(',');
  const lines = Array.from({ length: rows }, (_, r) => Array.from({ length: columns }, (_, c) => (r * 31 + c * 7) % 97).join(','));
  return [header, ...lines].join('\n');
}

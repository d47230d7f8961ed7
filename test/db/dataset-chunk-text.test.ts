import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { migrate, MIGRATIONS_DIR } from '../../src/db/migrate';
import { tableFromChunks } from '../../src/domains/datasets/compute';
import { loadChunks } from '../../src/domains/datasets/dataset.repository';
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from '../helpers/databases';

// Migration 008 turns dataset_chunk.data from jsonb into text: chunks written before it must read
// back as the same cells after it, and new chunks are stored exactly as written.
describe.each(DATABASE_KINDS)('migration 008: dataset chunks as text (%s)', (kind) => {
  let test: TestDatabase;
  let before008: string;

  beforeAll(async () => {
    test = await openTestDatabase(kind);
    before008 = mkdtempSync(path.join(tmpdir(), 'cachegate-before-008-'));
    for (const file of readdirSync(MIGRATIONS_DIR).filter((f) => /^\d+_[\w-]+\.sql$/.test(f) && f < '008')) {
      copyFileSync(path.join(MIGRATIONS_DIR, file), path.join(before008, file));
    }
  });

  afterAll(async () => {
    await test?.dispose();
    if (before008) rmSync(before008, { recursive: true, force: true });
  });

  it('keeps the cells of chunks stored as jsonb, and stores new chunks as the text written', async () => {
    await migrate(test.db, before008);
    const columns = [
      { name: 'n', type: 'NUMBER' },
      { name: 's', type: 'STRING' },
    ] as const;
    const cells = [
      [1.5, null, -0.25, 1e21, 5e-324, 0],
      ['a', '', null, 'ü "quoted"', '\n', '1'],
    ];
    const [{ id }] = await test.db.query<{ id: number }>("INSERT INTO dataset (name, row_count, columns) VALUES ('d', 6, $1::jsonb) RETURNING id", [
      JSON.stringify(columns),
    ]);
    await test.db.query('INSERT INTO dataset_chunk (dataset_id, seq, row_count, data) VALUES ($1, 0, 6, $2::jsonb)', [id, JSON.stringify(cells)]);

    expect(await migrate(test.db)).toContain('008_dataset_chunk_text');

    const [{ type }] = await test.db.query<{ type: string }>(
      "SELECT data_type AS type FROM information_schema.columns WHERE table_name = 'dataset_chunk' AND column_name = 'data' AND table_schema = current_schema()",
    );
    expect(type).toBe('text');
    const written = JSON.stringify(cells);
    await test.db.query('INSERT INTO dataset_chunk (dataset_id, seq, row_count, data) VALUES ($1, 1, 6, $2)', [id, written]);
    const texts = (await loadChunks(test.db, String(id))).map((c) => c.data);
    expect(texts[1]).toBe(written);
    expect(tableFromChunks([...columns], texts).data).toEqual(cells.map((column) => [...column, ...column]));
  });
});

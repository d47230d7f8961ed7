import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gatewayResolvers } from '../../src/server/gateway';
import { printGatewaySchema } from '../../src/graphql/print-schema';
import { buildGatewaySchema } from '../../src/graphql/schema';

const SCHEMA_FILE = path.join(__dirname, '..', '..', 'schema', 'schema.graphql');

describe('the committed schema', () => {
  it('schema/schema.graphql is exactly the schema the code builds', async () => {
    const built = printGatewaySchema(await buildGatewaySchema(gatewayResolvers()));
    const committed = readFileSync(SCHEMA_FILE, 'utf8');
    if (committed !== built) {
      const a = committed.split('\n');
      const b = built.split('\n');
      let line = 0;
      while (line < Math.max(a.length, b.length) && a[line] === b[line]) line++;
      throw new Error(
        `schema/schema.graphql is out of date with the code: run npm run schema:emit and commit the result.\n` +
          `First difference at line ${line + 1}:\n  committed: ${JSON.stringify(a[line] ?? '<end of file>')}\n  built:     ${JSON.stringify(b[line] ?? '<end of file>')}`,
      );
    }
    expect(committed).toBe(built);
  });

  it('shows which fields are cached, with their TTL and scope', () => {
    const committed = readFileSync(SCHEMA_FILE, 'utf8');
    expect(committed).toMatch(/directive @cached\(/);
    expect(committed).toMatch(/statistics: \[ColumnStatistics!\]! @cached\(ttl: \d+\)/);
    expect(committed).toMatch(/myProgress: UserProgress! @cached\(ttl: \d+, scope: PRIVATE\)/);
  });
});

import { type AuditResult, serverAudits } from 'graphql-http';
import { startTestGateway, type TestGateway } from '../helpers/gateway';

/**
 * graphql-http's GraphQL over HTTP audit against the gateway, with its whole-response cache on
 * (every audit runs twice, so the second answers come from the cache where they may).
 * Apollo Server alone scores 0 errors, 3 warnings and 0 notices; the gateway must not do worse.
 */
const APOLLO_SERVER_WARNINGS = 3;

describe('GraphQL over HTTP conformance (graphql-http audit)', () => {
  let gw: TestGateway;
  const results: AuditResult[] = [];

  beforeAll(async () => {
    gw = await startTestGateway('postgres');
    for (let round = 0; round < 2; round++) {
      for (const audit of serverAudits({ url: `${gw.url}/graphql`, fetchFn: fetch })) results.push(await audit.fn());
    }
  });
  afterAll(async () => {
    await gw?.close();
  });

  const listed = (status: AuditResult['status']) =>
    results.filter((r) => r.status === status).map((r) => `${r.name}: ${'reason' in r ? r.reason : ''}`);

  it('has no errors', () => {
    expect(listed('error')).toEqual([]);
  });

  it('has no notices', () => {
    expect(listed('notice')).toEqual([]);
  });

  it('has no more warnings than Apollo Server alone', () => {
    // Each round lists the same audits: a warning counted once per round.
    expect(new Set(listed('warn')).size).toBeLessThanOrEqual(APOLLO_SERVER_WARNINGS);
  });
});

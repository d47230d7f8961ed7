import { CacheStatsDocument, type CacheStatsFieldsFragment } from '../generated/graphql';
import type { TestGateway } from '../helpers/gateway';

/** cacheStats as an admin sees it; fails the test on an error. */
export async function statsOf(gw: TestGateway, token: string): Promise<CacheStatsFieldsFragment> {
  const r = await gw.gql(CacheStatsDocument, {}, { token });
  if (r.errors) throw new Error(`cacheStats failed: ${JSON.stringify(r.errors)}`);
  return r.data!.cacheStats;
}

// Apollo Server 5 with @apollo/server-plugin-response-cache on Redis (Keyv).
import { createServer } from 'node:http';
import { ApolloServer, HeaderMap } from '@apollo/server';
import responseCachePlugin from '@apollo/server-plugin-response-cache';
import { KeyvAdapter } from '@apollo/utils.keyvadapter';
import KeyvRedis from '@keyv/redis';
import Keyv from 'keyv';
import { CarsData, env, resolversFor, serveCounter, STATISTICS_FIELDS } from '../common';

const typeDefs = `
  enum CacheControlScope { PUBLIC PRIVATE }
  directive @cacheControl(maxAge: Int, scope: CacheControlScope, inheritMaxAge: Boolean) on FIELD_DEFINITION | OBJECT | INTERFACE | UNION
  type Query { dataset(id: ID!): Dataset @cacheControl(maxAge: 7200) }
  type Mutation { appendValue(id: ID!, value: Float!): Dataset }
  type Dataset @cacheControl(maxAge: 7200) { id: ID! statistics: [ColumnStatistics!]! }
  type ColumnStatistics @cacheControl(maxAge: 7200) { ${STATISTICS_FIELDS} }
`;

async function main(): Promise<void> {
  const data = new CarsData();
  const resolvers = resolversFor(data);
  const cache = new KeyvAdapter(new Keyv(new KeyvRedis(env('REDIS_URL'))));
  const server = new ApolloServer({ typeDefs, resolvers, cache, plugins: [responseCachePlugin()] });
  await server.start();
  createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const hm = new HeaderMap();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') hm.set(k, v);
    const result = await server.executeHTTPGraphQLRequest({
      httpGraphQLRequest: {
        method: req.method!,
        headers: hm,
        search: '',
        body: chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : undefined,
      },
      context: async () => ({}),
    });
    for (const [k, v] of result.headers) res.setHeader(k, v);
    res.statusCode = result.status ?? 200;
    res.end(result.body.kind === 'complete' ? result.body.string : '');
  }).listen(Number(env('PORT')), '127.0.0.1', () => process.stdout.write('ready\n'));
  serveCounter(
    Number(env('COUNTER_PORT')),
    () => data.computations,
    () => (data.computations = 0),
  );
}

main().catch((err) => {
  process.stderr.write(`${err.stack}\n`);
  process.exit(1);
});

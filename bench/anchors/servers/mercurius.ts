// mercurius on fastify with mercurius-cache on Redis, invalidation by references on.
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import mercurius from 'mercurius';
import mercuriusCache from 'mercurius-cache';
import { CarsData, env, MISS_DELAY_MS, serveCounter, sleep, STATISTICS_FIELDS } from '../common';

async function main(): Promise<void> {
  const data = new CarsData();
  const app = Fastify({ logger: false });
  await app.register(mercurius, {
    schema: `
      type Query { dataset(id: ID!): Dataset }
      type Mutation { appendValue(id: ID!, value: Float!): Dataset }
      type Dataset { id: ID! statistics: [ColumnStatistics!]! }
      type ColumnStatistics { ${STATISTICS_FIELDS} }
    `,
    resolvers: {
      Query: {
        dataset: async (_: unknown, { id }: { id: string }) => {
          await sleep(MISS_DELAY_MS);
          return { id, statistics: data.statistics() };
        },
      },
      Mutation: {
        appendValue: (_: unknown, { id, value }: { id: string; value: number }) => {
          data.append(value);
          return { id, statistics: data.statistics() };
        },
      },
    },
  });
  await app.register(mercuriusCache, {
    ttl: 7200,
    storage: { type: 'redis', options: { client: new Redis(env('REDIS_URL')), invalidation: true } },
    policy: {
      Query: { dataset: { references: (_: unknown, _key: string, result: { id: string } | null) => (result ? [`dataset:${result.id}`] : []) } },
      Mutation: { appendValue: { invalidate: (_self: unknown, arg: { id: string }) => [`dataset:${arg.id}`] } },
    },
  } as any);
  await app.listen({ port: Number(env('PORT')), host: '127.0.0.1' });
  process.stdout.write('ready\n');
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

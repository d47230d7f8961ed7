// graphql-yoga with @envelop/response-cache on Redis (@envelop/response-cache-redis).
import { createServer } from 'node:http';
import { useResponseCache } from '@envelop/response-cache';
import { createRedisCache } from '@envelop/response-cache-redis';
import { createSchema, createYoga } from 'graphql-yoga';
import { Redis } from 'ioredis';
import { CarsData, env, resolversFor, serveCounter, STATISTICS_FIELDS } from '../common';

const data = new CarsData();
const schema = createSchema({
  typeDefs: `
    type Query { dataset(id: ID!): Dataset }
    type Mutation { appendValue(id: ID!, value: Float!): Dataset }
    type Dataset { id: ID! statistics: [ColumnStatistics!]! }
    type ColumnStatistics { ${STATISTICS_FIELDS} }
  `,
  resolvers: resolversFor(data),
});
const redis = new Redis(env('REDIS_URL'));
const yoga = createYoga({
  schema,
  logging: false,
  maskedErrors: false,
  plugins: [useResponseCache({ session: () => null, cache: createRedisCache({ redis }), ttl: 7_200_000 })],
});
createServer(yoga).listen(Number(env('PORT')), '127.0.0.1', () => process.stdout.write('ready\n'));
serveCounter(
  Number(env('COUNTER_PORT')),
  () => data.computations,
  () => (data.computations = 0),
);

import { buildSchema } from 'graphql';
import { applyInvalidation } from '../../src/graphql/invalidation';
import { DocumentPlanner } from '../../src/graphql/response-plan';

const schema = buildSchema(`
  type Query { dataset(id: ID!): Dataset }
  type Mutation { appendRows(id: ID!): Dataset }
  type Dataset { id: ID! name: String! }
`);
const invalidator = { invalidate: async () => 0 };

describe('caching policies are checked against the schema at startup', () => {
  it('an invalidation policy naming a mutation the schema lacks stops the gateway, naming it', () => {
    expect(() => applyInvalidation(schema, { 'Mutation.appendRowz': () => [] }, invalidator)).toThrow(/Mutation\.appendRowz.*not a mutation/);
  });

  it('an invalidation policy naming a query instead of a mutation is refused too', () => {
    expect(() => applyInvalidation(schema, { 'Query.dataset': () => [] }, invalidator)).toThrow(/Query\.dataset/);
  });

  it('a whole-response policy naming a query the schema lacks is refused, naming it', () => {
    expect(() => new DocumentPlanner(schema, { 'Query.datasett': () => [] })).toThrow(/Query\.datasett.*not a query field/);
  });

  it('policies naming existing fields are accepted', () => {
    expect(() => applyInvalidation(schema, { 'Mutation.appendRows': () => [] }, invalidator)).not.toThrow();
    expect(() => new DocumentPlanner(schema, { 'Query.dataset': () => [] })).not.toThrow();
  });
});

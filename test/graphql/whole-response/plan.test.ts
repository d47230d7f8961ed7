import { buildSchema, type GraphQLSchema } from 'graphql';
import { LOOKUP_TAGS, type LookupTags } from '../../../src/graphql/cached';
import { DocumentPlanner } from '../../../src/graphql/whole-response';

const schema = buildSchema(`
  type Query { dataset(id: ID!): Dataset datasets: [Dataset!]! stats: Stats }
  type Mutation { touch(id: ID!): Dataset }
  type Dataset { id: ID! name: String! runs: [Run!]! }
  type Run { id: ID! status: String! }
  type Stats { hits: Int! }
`);
/** Declares root lookups as @CacheableLookup does, on a schema built from SDL. */
function withLookupTags(target: GraphQLSchema, lookups: Record<string, LookupTags>): GraphQLSchema {
  const fields = target.getQueryType()!.getFields();
  for (const [name, tagsOf] of Object.entries(lookups))
    Object.assign(fields[name], { extensions: { ...fields[name].extensions, [LOOKUP_TAGS]: tagsOf } });
  return target;
}

const planner = new DocumentPlanner(
  withLookupTags(schema, {
    dataset: ({ id }) => [`Dataset:${id}`],
    datasets: () => ['Dataset'],
  }),
);

describe('whole-response plans', () => {
  it('the same document in another layout has the same hash', () => {
    expect(planner.plan('{ datasets { id } }').hash).toBe(planner.plan('# comment\n{\n  datasets {\n    id\n  }\n}').hash);
  });

  it('aliases change the hash: the response has another shape', () => {
    expect(planner.plan('{ a: datasets { id } }').hash).not.toBe(planner.plan('{ b: datasets { id } }').hash);
  });

  it('knows the root tags from the arguments and the type tags of nested entities', () => {
    const op = planner.plan('query Q($id: ID!) { dataset(id: $id) { name runs { status } } }').operations!.get('Q')!;
    expect(op.ineligible).toBeUndefined();
    expect(op.staticTags({ id: '7' })?.tags.sort()).toEqual(['Dataset:7', 'Run']);
  });

  it('refuses mutations and root fields without a policy', () => {
    expect(planner.plan('mutation { touch(id: 1) { id } }').operations!.get('')!.ineligible).toMatch(/mutations/);
    expect(planner.plan('{ stats { hits } }').operations!.get('')!.ineligible).toMatch(/Query\.stats is not cacheable/);
  });

  it('leaves invalid documents to execution, which reports them', () => {
    expect(planner.plan('{ nope }').operations).toBeUndefined();
    expect(planner.plan('{ ').operations).toBeUndefined();
  });

  it('gives no tags when the variables do not coerce', () => {
    const op = planner.plan('query Q($id: ID!) { dataset(id: $id) { name } }').operations!.get('')!;
    expect(op.staticTags({})).toBeUndefined();
  });
});

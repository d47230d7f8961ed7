import { buildSchema, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import { CACHE_POLICY, LOOKUP_TAGS, type LookupTags } from '../../../src/graphql/cached';
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

describe('how long an HTTP cache could keep a response (httpTtlSeconds)', () => {
  const cachedSchema = buildSchema(`
    type Query { dataset(id: ID!): Dataset report: Report! }
    type Dataset { id: ID! name: String! stats: Stats! }
    type Stats { hits: Int! }
    type Report { title: String! stats: Stats! run: Run! }
    type Run { id: ID! status: String! }
  `);
  const policy = (type: string, field: string, ttl: number) => {
    const f = (cachedSchema.getType(type) as GraphQLObjectType).getFields()[field];
    Object.assign(f, { extensions: { ...f.extensions, [CACHE_POLICY]: { ttl, scope: 'PUBLIC' } } });
  };
  policy('Query', 'report', 600);
  policy('Report', 'stats', 60);
  policy('Dataset', 'stats', 7200);
  const cached = new DocumentPlanner(withLookupTags(cachedSchema, { dataset: ({ id }) => [`Dataset:${id}`] }));
  const ttl = (q: string) => cached.plan(q).operations!.get('')!.httpTtlSeconds;

  it('is the smallest TTL of the cached fields when every field is held by one', () => {
    expect(ttl('{ report { title } }')).toBe(600);
    expect(ttl('{ report { title stats { hits } } }')).toBe(60);
  });

  it('counts an uncached root lookup or an uncached entity inside a cached value as 0', () => {
    expect(ttl('{ dataset(id: "1") { stats { hits } } }')).toBe(0);
    expect(ttl('{ report { title run { status } } }')).toBe(0);
  });
});

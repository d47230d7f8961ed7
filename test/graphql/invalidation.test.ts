import 'reflect-metadata';
import { graphql, type GraphQLSchema } from 'graphql';
import { Arg, ID, Mutation, Query, Resolver } from 'type-graphql';
import { applyInvalidation, Invalidates } from '../../src/graphql/invalidation';
import { buildGatewaySchema } from '../../src/graphql/schema';

/** What happened, in order: writes and invalidations. */
const events: string[] = [];

@Resolver()
class RowsResolver {
  @Query(() => String)
  ping(): string {
    return 'pong';
  }

  @Invalidates(({ args, result }) => [`Row:${args.id}`, `Result:${result}`])
  @Mutation(() => String)
  async writeRow(@Arg('id', () => ID) id: string): Promise<string> {
    events.push(`write ${id}`);
    return `r${id}`;
  }

  @Invalidates(({ args }) => [`Row:${args.id}`])
  @Mutation(() => String)
  async failRow(@Arg('id', () => ID) id: string): Promise<string> {
    events.push(`fail ${id}`);
    throw new Error('the write was rolled back');
  }

  @Mutation(() => String)
  async untracked(): Promise<string> {
    events.push('untracked');
    return 'ok';
  }
}

describe('@Invalidates: a mutation invalidates what it declares, after its write', () => {
  let schema: GraphQLSchema;
  beforeAll(async () => {
    schema = await buildGatewaySchema([RowsResolver]);
    applyInvalidation(schema, {
      invalidate: async (tags) => {
        events.push(`invalidate ${tags.join(' ')}`);
        return 'APPLIED';
      },
    });
  });
  beforeEach(() => (events.length = 0));

  it('invalidates the declared tags (from arguments and result) once the resolver has resolved', async () => {
    const r = await graphql({ schema, source: 'mutation { writeRow(id: "7") }', contextValue: {} });
    expect(r.errors).toBeUndefined();
    expect(events).toEqual(['write 7', 'invalidate Row:7 Result:r7']);
  });

  it('invalidates nothing when the write fails', async () => {
    const r = await graphql({ schema, source: 'mutation { failRow(id: "8") }', contextValue: {} });
    expect(r.errors?.[0].message).toBe('the write was rolled back');
    expect(events).toEqual(['fail 8']);
  });

  it('leaves mutations without a declaration alone', async () => {
    await graphql({ schema, source: 'mutation { untracked }', contextValue: {} });
    expect(events).toEqual(['untracked']);
  });
});

import { specifiedDirectives, type GraphQLSchema } from 'graphql';
import { buildSchema, type NonEmptyArray } from 'type-graphql';
import { cachedDirective } from './cached';
import { DateTimeScalar } from './scalars';

/** Builds the executable schema from resolver classes (the composition root passes the domains' and admin's). */
export async function buildGatewaySchema(resolvers: NonEmptyArray<Function>): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers,
    validate: false,
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    directives: [...specifiedDirectives, cachedDirective],
  });
}

import { specifiedDirectives, type GraphQLSchema } from 'graphql';
import { buildSchema, type NonEmptyArray } from 'type-graphql';
import { adminResolvers } from '../admin';
import { cachedDirective } from './cached';
import { DateTimeScalar } from './scalars';

/** Builds the executable schema from the domains' resolver classes, plus cache administration (src/admin). */
export async function buildGatewaySchema(resolvers: NonEmptyArray<Function>): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: [...resolvers, ...adminResolvers],
    validate: false,
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    directives: [...specifiedDirectives, cachedDirective],
  });
}

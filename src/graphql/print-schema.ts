import { printSchemaWithDirectives } from '@graphql-tools/utils';
import type { GraphQLSchema } from 'graphql';

/** The SDL we commit: graphql's printSchema drops applied directives such as @cached, this keeps them. */
export function printGatewaySchema(schema: GraphQLSchema): string {
  return `# Emitted from the code by \`npm run schema:emit\`; do not edit by hand.\n\n${printSchemaWithDirectives(schema)}\n`;
}

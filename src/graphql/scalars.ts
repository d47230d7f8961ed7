import { DateTimeResolver, JSONObjectResolver, JSONResolver } from 'graphql-scalars';

/** Custom scalars of the schema: DateTime (ISO-8601), JSON and JSONObject. */
export const DateTimeScalar = DateTimeResolver;
export const JSONScalar = JSONResolver;
export const JSONObjectScalar = JSONObjectResolver;

import fc from 'fast-check';

/**
 * GraphQL request bodies generated from the schema's names and from noise: valid queries with odd
 * arguments, aliases and fragments, broken syntax, and bodies that are not requests at all.
 */
const fields = [
  'datasets',
  'dataset(id: "1")',
  'modelRuns',
  'emgRecordings',
  'myProgress',
  'cacheStats',
  'compareModels(ids: [])',
  '__schema',
  '__typename',
];
const inner = [
  'id',
  'name',
  'columns { name type }',
  'statistics { column }',
  'eda { missing { column } }',
  'modelRuns { id metrics { accuracy } }',
  'visualization(kind: HISTOGRAM, column: "a") { kind }',
  '__typename',
];
const noise = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('{', '}', '...', '@skip(if: true)', '$v', 'query', 'fragment F on Dataset', '"\\u0000"', '#', ':'),
);
const argValue = fc.oneof(
  fc.integer(),
  fc.string({ maxLength: 20 }).map((s) => JSON.stringify(s)),
  fc.constantFrom('null', 'true', '[]', '{}', '$v', '1e400', '-0'),
);
const selection: fc.Arbitrary<string> = fc.letrec<{ sel: string }>((tie) => ({
  sel: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(...inner),
    fc
      .tuple(
        fc.constantFrom(...inner),
        fc.string({ minLength: 1, maxLength: 3 }).filter((s) => /^[a-z]+$/.test(s)),
      )
      .map(([f, a]) => `${a}: ${f}`),
    fc
      .tuple(
        fc.constantFrom('visualization', 'modelRuns', 'statistics'),
        fc.array(fc.tuple(fc.constantFrom('kind', 'column', 'bins', 'limit', 'x'), argValue), { maxLength: 3 }),
      )
      .map(([f, args]) => `${f}(${args.map(([k, v]) => `${k}: ${v}`).join(', ')}) { __typename }`),
    fc.array(tie('sel'), { maxLength: 4 }).map((s) => `... on Dataset { ${s.join(' ')} }`),
    noise,
  ),
})).sel;

const query = fc
  .tuple(fc.constantFrom(...fields), fc.array(selection, { maxLength: 6 }), fc.boolean())
  .map(([root, sels, wrap]) => (wrap ? `query Q($v: ID) { ${root} { ${sels.join(' ')} } }` : `{ ${root} { ${sels.join(' ')} } }`));

export const documents: fc.Arbitrary<unknown> = fc.oneof(
  query.map((q) => ({ query: q })),
  fc.tuple(query, fc.jsonValue()).map(([q, v]) => ({ query: q, variables: { v } })),
  fc.tuple(query, fc.string()).map(([q, op]) => ({ query: q, operationName: op })),
  fc.jsonValue(),
  noise.map((q) => ({ query: q })),
);

/**
 * The allowed arrows between the parts of src (docs/architecture.md draws them). `npm run lint`
 * checks them; a new import that breaks one fails CI with the rule's name and comment.
 */
const outside = (...folders) => `^src/(${folders.join('|')})(/|\\.ts$)`;

module.exports = {
  forbidden: [
    {
      name: 'cache-is-the-core',
      comment:
        'src/cache knows neither GraphQL nor any domain, admin, HTTP or settings: it throws its own errors and takes its options as arguments.',
      severity: 'error',
      from: { path: '^src/cache/' },
      to: {
        path: [
          outside('graphql', 'domains', 'admin', 'server', 'db', 'cli', 'lib', 'config', 'logger', 'identity'),
          '^node_modules/(graphql|@apollo|type-graphql)/',
        ],
      },
    },
    {
      name: 'binding-knows-no-domain',
      comment: 'src/graphql binds the cache to GraphQL for any schema: the composition root (src/server) hands it the domains and admin.',
      severity: 'error',
      from: { path: '^src/graphql/' },
      to: { path: outside('domains', 'admin', 'server', 'db', 'cli', 'config') },
    },
    {
      name: 'domains-reach-the-cache-through-the-binding',
      comment: 'A domain declares what is cacheable (src/graphql decorators) and never calls the cache, Redis, admin or HTTP itself.',
      severity: 'error',
      from: { path: '^src/domains/' },
      to: { path: [outside('cache', 'admin', 'server', 'cli', 'config'), '^node_modules/ioredis/'] },
    },
    {
      name: 'admin-never-sees-redis',
      comment: 'Cache administration works through CacheAdmin (src/cache) and gets what it needs of domains injected.',
      severity: 'error',
      from: { path: '^src/admin/' },
      to: { path: [outside('domains', 'server', 'db', 'cli', 'config'), '^node_modules/ioredis/'] },
    },
    {
      name: 'db-is-storage-only',
      comment: 'src/db opens, migrates and seeds the database; it knows no cache, GraphQL, domain or HTTP.',
      severity: 'error',
      from: { path: '^src/db/' },
      to: { path: outside('cache', 'graphql', 'domains', 'admin', 'server', 'cli') },
    },
    {
      name: 'shared-leaves',
      comment: 'src/lib, src/identity.ts, src/logger.ts and src/config.ts are used by the parts above and use none of them.',
      severity: 'error',
      from: { path: '^src/(lib/|identity\\.ts$|logger\\.ts$|config\\.ts$)' },
      to: { path: outside('cache', 'graphql', 'domains', 'admin', 'server', 'db', 'cli') },
    },
    {
      name: 'no-circular',
      comment:
        "Import cycles make load order matter and hide which part depends on which (types alone may refer back: the resolvers' context names every domain).",
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count for the layering rules, and are told apart for cycles.
    tsPreCompilationDeps: 'specify',
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(dist|node_modules)/' },
  },
};

import { defineDomain } from '../domain';
import { ProgressResolver } from './progress.resolver';
import { ProgressService } from './progress.service';

/** Per-user onboarding progress: small, read on every page, private to its user. */
export const progress = defineDomain({
  name: 'progress',
  resolvers: [ProgressResolver],
  createService: ({ db }) => new ProgressService(db),
  seeds: (service) => [{ name: 'progress-steps', run: ({ db }) => service.seedSteps(db) }],
});

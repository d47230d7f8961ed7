import { defineDomain } from '../domain';
import { ProgressResolver } from './progress.resolver';
import { ProgressService } from './progress.service';

/** Per-user onboarding progress: small, read on every page, private to its user. */
export const progress = defineDomain({
  name: 'progress',
  resolvers: [ProgressResolver],
  createService: ({ db }) => new ProgressService(db),
  seeds: (service) => [{ name: 'progress-steps', run: ({ db }) => service.seedSteps(db) }],
  // progress_step is not tracked: no cached entry names a step (a changed step list reaches
  // users as their progress is next written or expires).
  tracks: [{ table: 'user_progress', type: 'User', idColumn: 'user_id' }],
});

import type { Database, Queryable } from '../../db/database';
import { InputError } from '../../lib/errors';
import type { UserProgress } from './progress.type';

/** The onboarding catalogue seeded at first start. */
export const ONBOARDING_STEPS: ReadonlyArray<{ key: string; title: string }> = [
  { key: 'open-graphiql', title: 'Open GraphiQL and run your first query' },
  { key: 'browse-datasets', title: 'Browse the datasets' },
  { key: 'view-statistics', title: 'Look at the statistics of a dataset' },
  { key: 'explore-eda', title: 'Explore correlations, missing values and outliers' },
  { key: 'draw-chart', title: 'Draw a histogram or a scatter plot' },
  { key: 'upload-dataset', title: 'Upload a dataset of your own as CSV' },
  { key: 'train-model', title: 'Train a model on a dataset' },
  { key: 'analyse-emg', title: 'Analyse an EMG recording' },
];

const MAX_USER_ID_LENGTH = 200;

export class ProgressService {
  constructor(private readonly db: Database) {}

  async get(userId: string, db: Queryable = this.db): Promise<UserProgress> {
    checkUserId(userId);
    const rows = await db.query<{ key: string; title: string; completed_at: Date | null }>(
      `SELECT s.key, s.title, p.completed_at
         FROM progress_step s
         LEFT JOIN user_progress p ON p.step_key = s.key AND p.user_id = $1
        ORDER BY s.position`,
      [userId],
    );
    const steps = rows.map((r) => ({ key: r.key, title: r.title, completed: r.completed_at !== null, completedAt: r.completed_at }));
    const completed = steps.filter((s) => s.completed);
    const updatedAt = completed.reduce<Date | null>((latest, s) => (!latest || s.completedAt! > latest ? s.completedAt : latest), null);
    return {
      id: userId,
      userId,
      steps,
      completedCount: completed.length,
      totalSteps: steps.length,
      percentComplete: steps.length === 0 ? 0 : Math.round((completed.length / steps.length) * 10_000) / 100,
      updatedAt,
    };
  }

  /** Marks a step done; completing it again keeps the first completion time. */
  async complete(userId: string, step: string): Promise<UserProgress> {
    checkUserId(userId);
    return this.db.transaction(async (tx) => {
      const known = await tx.query('SELECT 1 FROM progress_step WHERE key = $1', [step]);
      if (known.length === 0) throw new InputError(`unknown progress step "${step}"`, { step });
      await tx.query('INSERT INTO user_progress (user_id, step_key) VALUES ($1, $2) ON CONFLICT DO NOTHING', [userId, step]);
      return this.get(userId, tx);
    });
  }

  async reset(userId: string): Promise<UserProgress> {
    checkUserId(userId);
    return this.db.transaction(async (tx) => {
      await tx.query('DELETE FROM user_progress WHERE user_id = $1', [userId]);
      return this.get(userId, tx);
    });
  }

  /** Adds the catalogue's steps; existing steps keep their titles. */
  async seedSteps(db: Queryable = this.db): Promise<void> {
    for (const [i, s] of ONBOARDING_STEPS.entries()) {
      await db.query('INSERT INTO progress_step (key, title, position) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING', [s.key, s.title, i + 1]);
    }
  }
}

function checkUserId(userId: string): void {
  if (userId === '' || userId.length > MAX_USER_ID_LENGTH) throw new InputError(`userId must be 1 to ${MAX_USER_ID_LENGTH} characters`);
}

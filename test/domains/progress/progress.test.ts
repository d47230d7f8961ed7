import { ONBOARDING_STEPS } from '../../../src/domains/progress/progress.service';
import { CompleteProgressStepDocument, MyProgressDocument, ResetProgressDocument, UserProgressDocument } from '../../generated/graphql';
import { DATABASE_KINDS } from '../../helpers/databases';
import { codes, startTestGateway, type TestGateway } from '../../helpers/gateway';

describe.each(DATABASE_KINDS)('user progress (%s)', (kind) => {
  let gw: TestGateway;
  let userCount = 0;

  beforeAll(async () => {
    gw = await startTestGateway(kind);
    await gw.gateway.services.progress.seedSteps();
  });

  afterAll(async () => {
    await gw?.close();
  });

  /** A user no other test has touched, with a token. */
  async function newUser(): Promise<{ id: string; token: string }> {
    const id = `user-${++userCount}`;
    return { id, token: await gw.token(id) };
  }

  const myProgress = (token?: string) => gw.gql(MyProgressDocument, {}, { token });
  const complete = (token: string, step: string) => gw.gql(CompleteProgressStepDocument, { step }, { token });

  it('starts a new user at 0 % of the onboarding steps', async () => {
    const user = await newUser();
    const res = await myProgress(user.token);
    expect(res.errors).toBeUndefined();
    const progress = res.data!.myProgress;
    expect(progress).toMatchObject({ userId: user.id, completedCount: 0, percentComplete: 0, updatedAt: null });
    expect(progress.totalSteps).toBe(ONBOARDING_STEPS.length);
    expect(progress.totalSteps).toBeGreaterThanOrEqual(6);
    expect(progress.totalSteps).toBeLessThanOrEqual(10);
    expect(progress.steps.map((s) => s.key)).toEqual(ONBOARDING_STEPS.map((s) => s.key));
    expect(progress.steps.every((s) => !s.completed && s.completedAt === null && s.title.length > 0)).toBe(true);
  });

  it('raises completedCount and percentComplete as steps are completed', async () => {
    const user = await newUser();
    await myProgress(user.token); // cached at 0 %: completing a step must make this stale
    const total = ONBOARDING_STEPS.length;

    const first = await complete(user.token, 'open-graphiql');
    expect(first.errors).toBeUndefined();
    expect(first.data!.completeProgressStep).toMatchObject({ userId: user.id, completedCount: 1 });
    expect(first.data!.completeProgressStep.percentComplete).toBeCloseTo((100 * 1) / total, 2);

    const second = await complete(user.token, 'browse-datasets');
    expect(second.data!.completeProgressStep.completedCount).toBe(2);
    expect(second.data!.completeProgressStep.percentComplete).toBeCloseTo((100 * 2) / total, 2);

    const read = (await myProgress(user.token)).data!.myProgress;
    expect(read.completedCount).toBe(2);
    expect(read.percentComplete).toBeCloseTo((100 * 2) / total, 2);
    expect(read.steps.filter((s) => s.completed).map((s) => s.key)).toEqual(['open-graphiql', 'browse-datasets']);
    expect(read.updatedAt).not.toBeNull();
  });

  it('reaches 100 % when every step is completed', async () => {
    const user = await newUser();
    let last;
    for (const step of ONBOARDING_STEPS) last = await complete(user.token, step.key);
    expect(last!.data!.completeProgressStep).toMatchObject({ completedCount: ONBOARDING_STEPS.length, percentComplete: 100 });
  });

  it('changes nothing when a step is completed twice, keeping its first completion time', async () => {
    const user = await newUser();
    const first = (await complete(user.token, 'view-statistics')).data!.completeProgressStep;
    const firstAt = first.steps.find((s) => s.key === 'view-statistics')!.completedAt;
    expect(firstAt).not.toBeNull();

    const again = await complete(user.token, 'view-statistics');
    expect(again.errors).toBeUndefined();
    expect(again.data!.completeProgressStep).toEqual(first);
    expect(again.data!.completeProgressStep.steps.find((s) => s.key === 'view-statistics')!.completedAt).toBe(firstAt);
    expect((await myProgress(user.token)).data!.myProgress.completedCount).toBe(1);
  });

  it('answers BAD_USER_INPUT for a step that does not exist, and records nothing', async () => {
    const user = await newUser();
    const res = await complete(user.token, 'fly-to-the-moon');
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect((await myProgress(user.token)).data!.myProgress.completedCount).toBe(0);
  });

  it("keeps two users' progress apart", async () => {
    const alice = await newUser();
    const bob = await newUser();
    await myProgress(alice.token);
    await myProgress(bob.token);
    await complete(alice.token, 'open-graphiql');
    await complete(alice.token, 'draw-chart');
    await complete(bob.token, 'train-model');

    const a = (await myProgress(alice.token)).data!.myProgress;
    const b = (await myProgress(bob.token)).data!.myProgress;
    expect(a.userId).toBe(alice.id);
    expect(a.steps.filter((s) => s.completed).map((s) => s.key)).toEqual(['open-graphiql', 'draw-chart']);
    expect(b.userId).toBe(bob.id);
    expect(b.steps.filter((s) => s.completed).map((s) => s.key)).toEqual(['train-model']);

    await gw.gql(ResetProgressDocument, {}, { token: bob.token });
    expect((await myProgress(alice.token)).data!.myProgress.completedCount).toBe(2);
  });

  it('resets a user back to 0 %', async () => {
    const user = await newUser();
    await complete(user.token, 'open-graphiql');
    await complete(user.token, 'upload-dataset');
    expect((await myProgress(user.token)).data!.myProgress.completedCount).toBe(2);

    const res = await gw.gql(ResetProgressDocument, {}, { token: user.token });
    expect(res.errors).toBeUndefined();
    expect(res.data!.resetProgress).toEqual({ userId: user.id, completedCount: 0, percentComplete: 0 });
    const read = (await myProgress(user.token)).data!.myProgress;
    expect(read.completedCount).toBe(0);
    expect(read.steps.some((s) => s.completed)).toBe(false);
  });

  it("lets an admin read any user's progress with userProgress, kept current as the user progresses", async () => {
    const user = await newUser();
    const admin = await gw.token('the-admin', 'admin');
    const before = await gw.gql(UserProgressDocument, { userId: user.id }, { token: admin });
    expect(before.errors).toBeUndefined();
    expect(before.data!.userProgress).toMatchObject({ userId: user.id, completedCount: 0, totalSteps: ONBOARDING_STEPS.length });

    await complete(user.token, 'explore-eda');
    const after = await gw.gql(UserProgressDocument, { userId: user.id }, { token: admin });
    expect(after.data!.userProgress).toMatchObject({ userId: user.id, completedCount: 1 });
  });

  it('answers FORBIDDEN to userProgress with a user token and UNAUTHENTICATED without a token', async () => {
    const user = await newUser();
    const other = await newUser();
    const forbidden = await gw.gql(UserProgressDocument, { userId: other.id }, { token: user.token });
    expect(codes(forbidden)).toEqual(['FORBIDDEN']);
    expect(forbidden.data).toBeNull();
    // Not even their own progress through the admin field.
    expect(codes(await gw.gql(UserProgressDocument, { userId: user.id }, { token: user.token }))).toEqual(['FORBIDDEN']);
    const anonymous = await gw.gql(UserProgressDocument, { userId: other.id });
    expect(codes(anonymous)).toEqual(['UNAUTHENTICATED']);
    expect(anonymous.data).toBeNull();
  });

  it('answers UNAUTHENTICATED to myProgress and the progress mutations without a token', async () => {
    const res = await myProgress();
    expect(codes(res)).toEqual(['UNAUTHENTICATED']);
    expect(res.data).toBeNull();
    expect(codes(await gw.gql(CompleteProgressStepDocument, { step: 'open-graphiql' }))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await gw.gql(ResetProgressDocument, {}))).toEqual(['UNAUTHENTICATED']);
  });
});

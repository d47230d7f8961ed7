import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { Authorized } from '../../graphql/authorization';
import { Cached, TTL, userTag } from '../../graphql/cached';
import { Invalidates } from '../../graphql/invalidation';
import type { AppContext } from '../context';
import { UserProgress } from './progress.type';

@Resolver(() => UserProgress)
export class ProgressResolver {
  @Authorized()
  @Cached({ ttl: TTL.ONE_DAY, scope: 'PRIVATE', tags: ({ user }) => [userTag(user!.id)] })
  @Query(() => UserProgress, { description: "The signed-in user's onboarding progress" })
  myProgress(@Ctx() ctx: AppContext): Promise<UserProgress> {
    return ctx.services.progress.get(ctx.user!.id);
  }

  @Authorized('admin')
  @Cached({ ttl: TTL.ONE_DAY, scope: 'PRIVATE', tags: ({ args }) => [userTag(args.userId)] })
  @Query(() => UserProgress, { description: "Any user's progress (admin)" })
  userProgress(@Arg('userId', () => ID) userId: string, @Ctx() ctx: AppContext): Promise<UserProgress> {
    return ctx.services.progress.get(userId);
  }

  // A user's progress changes only through their own mutations.
  @Authorized()
  @Invalidates(({ user }) => [userTag(user!.id)])
  @Mutation(() => UserProgress, { description: 'Marks an onboarding step done; doing it twice changes nothing' })
  completeProgressStep(@Arg('step') step: string, @Ctx() ctx: AppContext): Promise<UserProgress> {
    return ctx.services.progress.complete(ctx.user!.id, step);
  }

  @Authorized()
  @Invalidates(({ user }) => [userTag(user!.id)])
  @Mutation(() => UserProgress)
  resetProgress(@Ctx() ctx: AppContext): Promise<UserProgress> {
    return ctx.services.progress.reset(ctx.user!.id);
  }
}

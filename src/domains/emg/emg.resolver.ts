import { Args, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Authorized } from '../../graphql/authorization';
import { CacheableLookup, Cached, Cost, entityTag, TTL, typeTag } from '../../graphql/cached';
import { Invalidates } from '../../graphql/invalidation';
import type { AppContext } from '../context';
import { EmgAnalysisArgs, EmgRecordingIdArgs, EmgRecordingsArgs, UploadEmgRecordingArgs } from './emg.args';
import { DEFAULT_WINDOW_MS } from './emg.service';
import { EmgAnalysis, EmgMetadata, EmgRecording } from './emg.type';

@Resolver(() => EmgRecording)
export class EmgResolver {
  @CacheableLookup(({ id }) => [entityTag('EmgRecording', id)])
  @Query(() => EmgRecording, { nullable: true, description: 'An EMG recording by id (its SHA-256), or null when there is none' })
  emgRecording(@Args() { id }: EmgRecordingIdArgs, @Ctx() ctx: AppContext): Promise<EmgRecording | null> {
    return ctx.loaders.emgRecording.load(id);
  }

  @CacheableLookup(() => [typeTag('EmgRecording')])
  @Query(() => [EmgRecording], { description: 'EMG recordings, newest first' })
  emgRecordings(@Args() { limit }: EmgRecordingsArgs, @Ctx() ctx: AppContext): Promise<EmgRecording[]> {
    return ctx.services.emg.list(limit ?? 50);
  }

  // Nullable, as analysis: a file that cannot be read is an error on its own item, never a list nulled for everyone.
  @Cached({ ttl: TTL.ONE_DAY, cost: 2 })
  @FieldResolver(() => EmgMetadata, {
    nullable: true,
    description: 'Sample rate, duration, channels and subject, read from the file; null with an error when the file cannot be read',
  })
  metadata(@Root() recording: EmgRecording, @Ctx() ctx: AppContext): Promise<EmgMetadata | null> {
    return ctx.services.emg.metadata(recording);
  }

  // Nullable although the contract says EmgAnalysis!: a non-null field's error nulls its parent, and
  // in emgRecordings that parent is a non-null list item, so one recording that cannot be analysed
  // (one stored before uploads were checked, a window too short for its sample rate) would null
  // the whole list for everyone. Nullable, the error and the null stay on that recording.
  @Cached({ ttl: TTL.ONE_HOUR, cost: 10 })
  @FieldResolver(() => EmgAnalysis, {
    nullable: true,
    description: 'Per-channel time-domain, spectral and fatigue features; null with an error when this recording cannot be analysed with windowMs',
  })
  analysis(@Root() recording: EmgRecording, @Args() { windowMs }: EmgAnalysisArgs, @Ctx() ctx: AppContext): Promise<EmgAnalysis | null> {
    return ctx.services.emg.analysis(recording, windowMs ?? DEFAULT_WINDOW_MS);
  }

  @Authorized()
  @Invalidates(({ result }) => [entityTag('EmgRecording', result.id), typeTag('EmgRecording')])
  @Cost(50)
  @Mutation(() => EmgRecording, {
    description: 'Stores a C3D or CSV recording once it parses; the same file uploaded again returns the stored recording',
  })
  uploadEmgRecording(@Args() { name, format, contentBase64 }: UploadEmgRecordingArgs, @Ctx() ctx: AppContext): Promise<EmgRecording> {
    return ctx.services.emg.upload(name, format, contentBase64, ctx.user);
  }

  @Authorized()
  @Invalidates(({ args }) => [entityTag('EmgRecording', args.id), typeTag('EmgRecording')])
  @Mutation(() => Boolean, { description: 'Deletes a recording; its first uploader or an admin only (seeded recordings: admin)' })
  async deleteEmgRecording(@Args() { id }: EmgRecordingIdArgs, @Ctx() ctx: AppContext): Promise<boolean> {
    await ctx.services.emg.delete(id, ctx.user);
    return true;
  }
}

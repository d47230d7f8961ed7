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

  @Cached({ ttl: TTL.ONE_DAY, cost: 2 })
  @FieldResolver(() => EmgMetadata, { description: 'Sample rate, duration, channels and subject, read from the file' })
  metadata(@Root() recording: EmgRecording, @Ctx() ctx: AppContext): Promise<EmgMetadata> {
    return ctx.services.emg.metadata(recording);
  }

  @Cached({ ttl: TTL.ONE_HOUR, cost: 10 })
  @FieldResolver(() => EmgAnalysis, { description: 'Per-channel time-domain, spectral and fatigue features' })
  analysis(@Root() recording: EmgRecording, @Args() { windowMs }: EmgAnalysisArgs, @Ctx() ctx: AppContext): Promise<EmgAnalysis> {
    return ctx.services.emg.analysis(recording, windowMs ?? DEFAULT_WINDOW_MS);
  }

  @Authorized()
  @Invalidates(({ result }) => [entityTag('EmgRecording', result.id), typeTag('EmgRecording')])
  @Cost(50)
  @Mutation(() => EmgRecording, {
    description: 'Stores a C3D or CSV recording once it parses; the same file uploaded again returns the stored recording',
  })
  uploadEmgRecording(@Args() { name, format, contentBase64 }: UploadEmgRecordingArgs, @Ctx() ctx: AppContext): Promise<EmgRecording> {
    return ctx.services.emg.upload(name, format, contentBase64);
  }

  @Authorized()
  @Invalidates(({ args }) => [entityTag('EmgRecording', args.id), typeTag('EmgRecording')])
  @Mutation(() => Boolean)
  async deleteEmgRecording(@Args() { id }: EmgRecordingIdArgs, @Ctx() ctx: AppContext): Promise<boolean> {
    await ctx.services.emg.delete(id);
    return true;
  }
}

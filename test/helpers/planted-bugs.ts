import { defaultFieldResolver, type GraphQLSchema } from 'graphql';
import { InvalidationRelay } from '../../src/cache/invalidation-relay';
import type { CacheRequest } from '../../src/cache/tagged-cache';
import { TieredStore } from '../../src/cache/tiered-store';
import { TaggedCache } from '../../src/cache/tagged-cache';
import { applyInvalidation, invalidationPolicyOf, type TagInvalidator } from '../../src/graphql/invalidation';
import type { RequestCache } from '../../src/graphql/request-cache';
import { type Candidate, type PendingResponse, WholeResponseCache } from '../../src/graphql/whole-response';
import type { User } from '../../src/identity';
import type { GatewayParts } from '../../src/server/gateway';

/**
 * The classic caching bugs, planted by composing the gateway's parts in a deliberately wrong
 * order. The race tests (and the consistency checker) must catch each of them; production code
 * carries no switch for any.
 */

/** Field values stamped with tag versions read after the value was loaded instead of before. */
export class VersionsReadAfterLoad extends TaggedCache {
  protected override async loadStamped<T>(req: CacheRequest, _seen: readonly (string | null)[], load: () => Promise<T>) {
    const value = await load();
    return { value, versions: await this.ensureVersions(req.tags, await this.readVersions(req.tags)) };
  }
}

/** Whole responses stamped with tag versions read after execution instead of before. */
export class ResponseVersionsReadAfterExecution extends WholeResponseCache {
  protected override async stampOf(pending: PendingResponse, rc: RequestCache) {
    const { tags } = await super.stampOf(pending, rc);
    return { tags, versions: await this.opts.values.readVersions(tags) };
  }
}

/** Whole responses of PRIVATE data keyed without their user: one user's answer is served to another. */
export class PrivateResponseKeyWithoutUser extends WholeResponseCache {
  override keyFor(candidate: Candidate, _user: User | undefined): string {
    return candidate.publicKey;
  }
}

/**
 * A relay that never applies anything: the gateway commits and answers (past its wait bound) but
 * its invalidations are left in the log, as when it is killed between commit and apply. Another
 * gateway's relay must apply them.
 */
export class StalledRelay extends InvalidationRelay {
  override async start(): Promise<void> {}
  override kick(): void {}
}

/** A relay that applies new records but never checks Redis against the log: a restored Redis keeps its stale entries. */
export class NoReplayRelay extends InvalidationRelay {
  protected override async catchUp(): Promise<void> {}
}

/** An in-process tier that keeps serving what it holds when its link to other instances' invalidations is lost or silent. */
export class NoFlushOnLinkLoss extends TieredStore {
  protected override onLinkLost(): void {}
  protected override onLinkRestored(): void {}
  protected override get live(): boolean {
    return true;
  }
}

/** Each mutation's declared tags, from its arguments, result and user, with those it could not build left out. */
function declaredTags(schemaField: Parameters<typeof invalidationPolicyOf>[0], args: any, result: any, ctx: unknown): string[] {
  const tagsOf = invalidationPolicyOf(schemaField)!;
  try {
    return tagsOf({ args, result, user: (ctx as { user?: User }).user }).filter((t) => !t.endsWith(':undefined'));
  } catch {
    return [];
  }
}

/** Mutations that give their tags new versions themselves before they write and commit, instead of the log after. */
export function invalidateBeforeWrite(schema: GraphQLSchema, _invalidator: TagInvalidator, values: TaggedCache): void {
  for (const field of Object.values(schema.getMutationType()?.getFields() ?? {})) {
    if (!invalidationPolicyOf(field)) continue;
    const original = field.resolve ?? defaultFieldResolver;
    field.resolve = async (parent, args, ctx, info) => {
      // The result is not known yet: tags derived from it (a created entity's id) are lost too.
      await values.invalidate(declaredTags(field, args, {}, ctx));
      return original(parent, args, ctx, info);
    };
  }
}

/** Mutations that give their own declared tags new versions after commit (the design before the log): writes made elsewhere are never applied. */
export function invalidateOwnWritesOnly(schema: GraphQLSchema, _invalidator: TagInvalidator, values: TaggedCache): void {
  for (const field of Object.values(schema.getMutationType()?.getFields() ?? {})) {
    if (!invalidationPolicyOf(field)) continue;
    const original = field.resolve ?? defaultFieldResolver;
    field.resolve = async (parent, args, ctx, info) => {
      const result = await original(parent, args, ctx, info);
      await values.invalidate(declaredTags(field, args, result, ctx));
      return result;
    };
  }
}

/** The planted variants by name, as parts for createGateway. */
export const PLANTED: Record<string, Partial<GatewayParts>> = {
  'versions-read-after-load': { taggedCache: (o) => new VersionsReadAfterLoad(o) },
  'response-versions-read-after-execution': { wholeResponses: (o) => new ResponseVersionsReadAfterExecution(o) },
  /** Tag versions bumped before the commit, and no log relay to put it right after. */
  'invalidate-before-write': { bindInvalidation: invalidateBeforeWrite, relay: () => undefined },
  /**
   * Commits and does nothing more, as a gateway killed between its commit and the apply: its
   * relay never applies, and its mutations never give their own tags new versions either.
   */
  'commit-then-crash': {
    relay: (o) => new StalledRelay(o),
    bindInvalidation: (schema) => applyInvalidation(schema, { invalidate: async () => 'PENDING' }),
  },
  /** The outbox is applied as it grows but never replayed into a Redis that came back older. */
  'outbox-not-replayed': { relay: (o) => new NoReplayRelay(o) },
  /** The in-process tier is neither emptied nor bypassed when the invalidation subscription is lost. */
  'no-flush-on-subscription-loss': { tieredStore: (args) => new NoFlushOnLinkLoss(...args) },
  /** Only the gateway's own mutations invalidate (no relay): psql, seeds and other writers are never seen. */
  'only-own-writes-applied': { bindInvalidation: invalidateOwnWritesOnly, relay: () => undefined },
  'private-response-key-without-user': { wholeResponses: (o) => new PrivateResponseKeyWithoutUser(o) },
};

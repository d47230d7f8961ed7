import { defaultFieldResolver, type GraphQLSchema } from 'graphql';
import type { CacheRequest } from '../../src/cache/tagged-cache';
import { TaggedCache } from '../../src/cache/tagged-cache';
import { invalidationPolicyOf, type TagInvalidator } from '../../src/graphql/invalidation';
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

/** Mutations that invalidate their tags before they write and commit, instead of after. */
export function invalidateBeforeWrite(schema: GraphQLSchema, invalidator: TagInvalidator): void {
  for (const field of Object.values(schema.getMutationType()?.getFields() ?? {})) {
    const tagsOf = invalidationPolicyOf(field);
    if (!tagsOf) continue;
    const original = field.resolve ?? defaultFieldResolver;
    field.resolve = async (parent, args, ctx, info) => {
      // The result is not known yet: tags derived from it (a created entity's id) are lost too.
      await invalidator.invalidate(safeTags(() => tagsOf({ args, result: {}, user: (ctx as { user?: User }).user })));
      return original(parent, args, ctx, info);
    };
  }
}

function safeTags(tagsOf: () => string[]): string[] {
  try {
    return tagsOf().filter((t) => !t.endsWith(':undefined'));
  } catch {
    return [];
  }
}

/** The planted variants by name, as parts for createGateway. */
export const PLANTED: Record<string, Partial<GatewayParts>> = {
  'versions-read-after-load': { taggedCache: (o) => new VersionsReadAfterLoad(o) },
  'response-versions-read-after-execution': { wholeResponses: (o) => new ResponseVersionsReadAfterExecution(o) },
  'invalidate-before-write': { bindInvalidation: invalidateBeforeWrite },
  'private-response-key-without-user': { wholeResponses: (o) => new PrivateResponseKeyWithoutUser(o) },
};

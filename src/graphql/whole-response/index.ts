import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import { canonicalJson, type KeySpace, responseKey, type ResponseKeyParts } from '../../cache/keys';
import { etagOf, type ResponseEntry, type ResponseStore } from '../../cache/response-store';
import type { CacheMode, TaggedCache } from '../../cache/tagged-cache';
import type { WriteBudget } from '../../cache/write-budget';
import type { User } from '../../identity';
import type { RequestCache } from '../request-cache';
import type { RequestGuard } from '../guard';
import { DocumentPlanner, type OperationPlan } from './plan';

export { DocumentPlanner, type DocumentPlan, type OperationPlan } from './plan';
export type { ResponseEntry };

/**
 * The whole-response cache: a query whose every field is cacheable is answered from one
 * entry, stamped with the versions of every tag its data depends on, without parsing,
 * validating or executing it. This module decides what is a candidate, how its entry is keyed,
 * when it is served and when it is stored; HTTP only turns its answers into bytes and headers.
 *
 * The protocol is the field cache's: the versions of the tags known before execution (from the
 * root lookups' arguments and the entity types reached) are read before anything is loaded, and
 * the fields' own stamps are added as execution reads them; a response is stored only if every
 * version is known and agreed on, so one computed across an invalidation is never served.
 */
export interface WholeResponseOptions {
  schema: GraphQLSchema;
  store: ResponseStore;
  /** Where tag versions are read and created (the field cache's protocol). */
  values: TaggedCache;
  space: KeySpace;
  /** TTL of a response made only of uncached entity lookups, in seconds. */
  defaultTtlSeconds: number;
  /** Refuses documents and arguments out of bounds before any cache work (src/graphql/guard). */
  guard?: RequestGuard;
}

/** A query whose whole response may be cached: its plan, how its entry is keyed, and the tags known before execution. */
export interface Candidate {
  op: OperationPlan;
  parts: Omit<ResponseKeyParts, 'user'>;
  /** The key when the response is PUBLIC (a PRIVATE one adds the user). */
  publicKey: string;
  /** The cache generation publicKey was built in: a candidate memoised across a move builds its key again. */
  generation: number;
  staticTags: string[];
  /** Their store keys, read along with the entry. */
  staticTagKeys: string[];
  private: boolean;
}

/** A miss on its way through execution: the entry's key and the static tags' versions, settled before anything was loaded. */
export interface PendingResponse {
  key: string;
  candidate: Candidate;
  staticVersions: (string | null)[];
}

/** How HTTP may cache a response: decided here, written as headers by the HTTP layer. */
export type ResponseCaching =
  { verdict: 'BYPASS' } | { verdict: 'HIT' | 'MISS'; private: boolean; maxAgeSeconds: number; etag: string; createdAt: number };

/** A response in which a root lookup found nothing is kept at most this long (seconds): the thing may be created soon. */
export const NOT_FOUND_TTL_SECONDS = 60;

/** Whether a root field of the data is null: a lookup that found nothing. */
function foundNothing(data: Record<string, unknown> | null | undefined): boolean {
  if (!data) return false;
  for (const key in data) if (data[key] === null) return true;
  return false;
}

export class WholeResponseCache {
  readonly planner: DocumentPlanner;

  constructor(protected readonly opts: WholeResponseOptions) {
    this.planner = new DocumentPlanner(opts.schema, 1000, opts.defaultTtlSeconds, opts.guard);
  }

  /**
   * The plan of a request's operation and, when its whole response may be cached, the candidate.
   * Throws the guard's refusal (BAD_USER_INPUT, QUERY_TOO_COMPLEX) before any key is built.
   */
  prepare(body: { query: string; operationName?: string; variables?: Record<string, unknown> }): {
    op?: OperationPlan;
    candidate?: Candidate;
    /** The operation's cost in points (the guard's), when it could be computed. */
    cost?: number;
  } {
    const plan = this.planner.plan(body.query);
    if (plan.refused) throw plan.refused;
    const cost = plan.document ? this.opts.guard?.analyze(plan.document, body.operationName, body.variables)?.requestedQueryCost : undefined;
    const op = plan.operations?.get(body.operationName ?? '');
    if (!op || op.ineligible) return { op, cost };
    const known = op.staticTags(body.variables);
    if (!known) return { op, cost };
    const parts = { documentHash: plan.hash, operationName: body.operationName, variables: canonicalJson(known.coerced) };
    const staticTags = [...known.tags].sort();
    return {
      op,
      cost,
      candidate: {
        op,
        parts,
        publicKey: responseKey(this.opts.space, parts),
        generation: this.opts.space.generation ?? 0,
        staticTags,
        staticTagKeys: this.opts.store.tagKeysOf(staticTags),
        private: op.private,
      },
    };
  }

  /** Whether a request may be served or stored whole: not when it bypasses the cache, nor PRIVATE without a user. */
  applies(candidate: Candidate, user: User | undefined, mode: CacheMode): boolean {
    return mode !== 'bypass' && (!candidate.private || user !== undefined);
  }

  keyFor(candidate: Candidate, user: User | undefined): string {
    if (candidate.private) return responseKey(this.opts.space, { ...candidate.parts, user });
    const generation = this.opts.space.generation ?? 0;
    if (candidate.generation !== generation) Object.assign(candidate, { publicKey: responseKey(this.opts.space, candidate.parts), generation });
    return candidate.publicKey;
  }

  /** The entry, answered without waiting, when this process's memory holds it and its tags' versions. */
  peek(key: string, now: number): ResponseEntry | undefined {
    return this.opts.store.lookupNow(key, now);
  }

  /**
   * The entry when it is current (mode 'normal'); otherwise the miss, with the static tags'
   * versions settled (read along with the entry, created where missing) before execution.
   */
  async lookup(
    candidate: Candidate,
    key: string,
    mode: CacheMode,
    /** Called once it is a miss, before anything is written (a rate limit's charge); throwing stops the miss there. */
    beforeMiss?: () => Promise<void>,
    /** Keys the request may write: the entry and the static tags' versions it must create; past it, the response is not stored. */
    budget?: WriteBudget,
  ): Promise<{ hit: ResponseEntry } | { pending: PendingResponse }> {
    const { values } = this.opts;
    let seen: (string | null | undefined)[];
    if (mode === 'normal') {
      const found = await this.opts.store.lookup(key, candidate.staticTagKeys, candidate.op.name);
      if (found.hit) return { hit: found.hit };
      seen = candidate.staticTagKeys.map((k) => (found.versionsRead.has(k) ? (found.versionsRead.get(k)?.toString() ?? null) : undefined));
    } else seen = candidate.staticTags.map(() => undefined);
    await beforeMiss?.();
    const unread = candidate.staticTags.filter((_, i) => seen[i] === undefined);
    if (unread.length > 0) {
      const read = await values.readVersions(unread);
      let j = 0;
      seen = seen.map((v) => (v === undefined ? read[j++] : v));
    }
    const missing = seen.filter((v) => v === null).length;
    // Past the budget nothing is created, and the unknown versions keep the response from being stored.
    const staticVersions =
      budget && !budget.take(missing + 1)
        ? (seen as (string | null)[])
        : await values.ensureVersions(candidate.staticTags, seen as (string | null)[]);
    return { pending: { key, candidate, staticVersions } };
  }

  /**
   * After execution: stores the response when every part of it allows (a 200 without errors,
   * no stale or bypassed field, every tag version known and agreed on), and says how HTTP may
   * cache it. body is what the client gets; a stored body never carries a debug report.
   */
  async complete(
    pending: PendingResponse | undefined,
    rc: RequestCache | undefined,
    status: number,
    body: Buffer,
    storedBody = body,
  ): Promise<ResponseCaching> {
    if (!pending || !rc || status !== 200 || !rc.wholeResponseStorable) return { verdict: 'BYPASS' };
    const ttlSeconds = Math.min(pending.candidate.op.minTtlSeconds ?? this.opts.defaultTtlSeconds, rc.minTtlSeconds);
    const isPrivate = pending.candidate.private || rc.private;
    const etag = etagOf(body);
    const createdAt = Date.now();
    const { tags, versions } = await this.stampOf(pending, rc);
    if (versions.every((v) => v !== null) && !this.opts.values.anyPending(tags)) {
      await this.opts.store.store(pending.key, {
        body: storedBody,
        tags,
        versions: versions as string[],
        createdAt,
        ttlSeconds,
        private: isPrivate,
        etag,
      });
    }
    return { verdict: 'MISS', private: isPrivate, maxAgeSeconds: ttlSeconds, etag, createdAt };
  }

  /**
   * The tags a response is stamped with and their versions: the static tags' as settled before
   * execution, and each field's as read before its value was loaded. Re-reading them after
   * execution is the stale-set bug the whole-response race test plants by overriding this.
   */
  protected async stampOf(pending: PendingResponse, rc: RequestCache): Promise<{ tags: string[]; versions: (string | null)[] }> {
    const tags = [...pending.candidate.staticTags];
    const versions = [...pending.staticVersions];
    for (const [tag, version] of rc.stamps) {
      const i = tags.indexOf(tag);
      if (i === -1) {
        tags.push(tag);
        versions.push(version);
      } else if (versions[i] !== version) versions[i] = null;
    }
    return { tags, versions };
  }

  /** The Apollo plugin that marks a request whose response carries errors: such a response is never stored. */
  plugin(): ApolloServerPlugin<{ cache?: RequestCache }> {
    return {
      async requestDidStart() {
        return {
          async willSendResponse({ contextValue, response }) {
            if (!contextValue.cache) return;
            if (response.body.kind !== 'single' || response.body.singleResult.errors?.length) contextValue.cache.wholeResponseStorable = false;
            else if (foundNothing(response.body.singleResult.data)) {
              contextValue.cache.minTtlSeconds = Math.min(contextValue.cache.minTtlSeconds, NOT_FOUND_TTL_SECONDS);
            }
          },
        };
      },
    };
  }
}

import {
  type DocumentNode,
  type FieldNode,
  getNamedType,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  parse,
  print,
  type SelectionSetNode,
  validate,
} from 'graphql';
import { getArgumentValues, getVariableValues } from 'graphql/execution/values';
import { LRUCache } from 'lru-cache';
import { sha256Hex } from '../../cache/keys';
import { type Tag, typeTag } from '../../cache/tags';
import type { User } from '../../identity';
import { ClientError } from '../../lib/errors';
import { allows, rolesOf } from '../authorization';
import type { RequestGuard } from '../guard';
import { CACHE_POLICY, type CachePolicy, LOOKUP_TAGS, type LookupTags } from '../cached';

/** What the fast path knows about one operation of a document, computed once per document text. */
export interface OperationPlan {
  kind: 'query' | 'mutation' | 'subscription';
  /** True when every root field needs a user or a role the caller lacks: refused before any resolver runs. */
  deniedTo(user: User | undefined): boolean;
  /** The operation's name in the document (whether or not the request named it): its row in cacheStats. */
  name?: string;
  /** Why the whole response cannot be cached; undefined when it can. */
  ineligible?: string;
  /** Smallest TTL of the @cached fields selected; undefined when none is selected. */
  minTtlSeconds?: number;
  /**
   * Smallest TTL of every field selected, a field that is not cached counting 0: how long an
   * HTTP cache could keep the response without missing a change the gateway would see. A field
   * inherits the TTL of the cached field whose value holds it; a root field or an entity that is
   * not itself cached is read live (0).
   */
  httpTtlSeconds?: number;
  /** True when a PRIVATE field is selected: the response belongs to one user. */
  private: boolean;
  /**
   * The tags known before execution, for these variables: the root fields' policy tags, and
   * the type tag of every entity type reached below the root. Undefined when the variables
   * do not coerce (execution will report it).
   */
  staticTags(variables: Record<string, unknown> | undefined): { tags: Tag[]; coerced: Record<string, unknown> } | undefined;
}

export interface DocumentPlan {
  /** SHA-256 of the printed document: the same for any whitespace, comments or formatting. */
  hash: string;
  /** Undefined when the text does not parse or validate (execution reports the errors). */
  operations?: Map<string, OperationPlan>;
  /** The parsed document when it validated: the guard analyses it per request's variables. */
  document?: DocumentNode;
  /** Why the guard refused the document's shape (too deep, too many aliases…), before validation. */
  refused?: ClientError;
}

/** An object type with an `id` field: its changes are announced by its type tag. */
function isEntity(type: GraphQLObjectType): boolean {
  return 'id' in type.getFields();
}

/** Parses, validates and plans documents, remembering the last maxDocuments by their text. */
export class DocumentPlanner {
  private readonly plans: LRUCache<string, DocumentPlan>;

  constructor(
    private readonly schema: GraphQLSchema,
    maxDocuments = 1000,
    /** The TTL of a @cached field that names none (CACHE_DEFAULT_TTL); unknown counts as 0 for HTTP. */
    private readonly defaultTtlSeconds = 0,
    private readonly guard?: RequestGuard,
  ) {
    this.plans = new LRUCache({ max: maxDocuments });
  }

  plan(text: string): DocumentPlan {
    let plan = this.plans.get(text);
    if (!plan) {
      plan = this.build(text);
      this.plans.set(text, plan);
    }
    return plan;
  }

  private build(text: string): DocumentPlan {
    let document: DocumentNode;
    try {
      document = this.guard ? this.guard.parse(text) : parse(text);
    } catch {
      return { hash: sha256Hex(text) };
    }
    const hash = sha256Hex(print(document));
    try {
      // Before validation: its overlapping-fields rule is quadratic in a document's width.
      this.guard?.checkShape(document);
    } catch (err) {
      if (err instanceof ClientError) return { hash, refused: err };
      throw err;
    }
    if (validate(this.schema, document).length > 0) return { hash };
    const operations = new Map<string, OperationPlan>();
    const ops = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    for (const op of ops) {
      const plan = this.planOperation(document, op);
      operations.set(op.name?.value ?? '', plan);
      // An operation may be asked for without its name when it is the only one.
      if (ops.length === 1) operations.set('', plan);
    }
    return { hash, operations, document };
  }

  private planOperation(document: DocumentNode, op: OperationDefinitionNode): OperationPlan {
    const kind = op.operation;
    const root =
      kind === 'query' ? this.schema.getQueryType() : kind === 'mutation' ? this.schema.getMutationType() : this.schema.getSubscriptionType();
    // The roles each root field needs; a fragment at the root counts as open (it is not looked into).
    const rootRoles = op.selectionSet.selections.map((sel) =>
      sel.kind === Kind.FIELD && root && !sel.name.value.startsWith('__') ? rolesOf(root.getFields()[sel.name.value]) : undefined,
    );
    const deniedTo = (user: User | undefined) => rootRoles.length > 0 && rootRoles.every((roles) => !allows(user, roles));
    const base = { kind, name: op.name?.value, private: false, staticTags: () => undefined, deniedTo };
    if (kind !== 'query') return { ...base, ineligible: `${kind}s are never cached whole` };
    const fragments = new Map(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])));
    const rootFields: { def: GraphQLField<unknown, unknown>; node: FieldNode; tagsOf: LookupTags }[] = [];
    const entityTypes = new Set<string>();
    let minTtl: number | undefined;
    let httpTtl = Infinity;
    let isPrivate = false;
    let ineligible: string | undefined;

    const fieldsOf = (set: SelectionSetNode, out: FieldNode[] = [], seen = new Set<string>()): FieldNode[] => {
      for (const sel of set.selections) {
        if (sel.kind === Kind.FIELD) out.push(sel);
        else if (sel.kind === Kind.INLINE_FRAGMENT) fieldsOf(sel.selectionSet, out, seen);
        else if (!seen.has(sel.name.value)) {
          seen.add(sel.name.value);
          const fragment = fragments.get(sel.name.value);
          if (fragment) fieldsOf(fragment.selectionSet, out, seen);
        }
      }
      return out;
    };

    const walk = (set: SelectionSetNode, parent: GraphQLObjectType, isRoot: boolean, inheritedTtl: number): void => {
      for (const node of fieldsOf(set)) {
        const name = node.name.value;
        if (name === '__typename') continue;
        if (name.startsWith('__')) {
          ineligible ??= 'introspection is not cached whole';
          continue;
        }
        const def = parent.getFields()[name];
        const coordinate = `${parent.name}.${name}`;
        const policy = def.extensions?.[CACHE_POLICY] as CachePolicy | undefined;
        const named = getNamedType(def.type);
        const ownTtl = policy ? (policy.ttl ?? this.defaultTtlSeconds) : isRoot || (isObjectType(named) && isEntity(named)) ? 0 : inheritedTtl;
        httpTtl = Math.min(httpTtl, ownTtl);
        if (policy) {
          if (policy.ttl !== undefined) minTtl = Math.min(minTtl ?? Infinity, policy.ttl);
          if (policy.scope === 'PRIVATE') isPrivate = true;
        } else if (isRoot) {
          // A root field that is neither @cached nor a @CacheableLookup makes its operation uncacheable.
          const tagsOf = def.extensions?.[LOOKUP_TAGS] as LookupTags | undefined;
          if (!tagsOf) ineligible ??= `${coordinate} is not cacheable`;
          else rootFields.push({ def, node, tagsOf });
        } else if (isObjectType(named) && isEntity(named)) {
          entityTypes.add(named.name);
        }
        if (node.selectionSet) {
          if (isObjectType(named)) walk(node.selectionSet, named, false, ownTtl);
          else ineligible ??= `${coordinate} returns an abstract type`;
        }
      }
    };
    walk(op.selectionSet, this.schema.getQueryType()!, true, 0);
    if (ineligible) return { ...base, ineligible };

    const schema = this.schema;
    const variableDefinitions = op.variableDefinitions ?? [];
    return {
      kind,
      name: base.name,
      deniedTo,
      minTtlSeconds: minTtl,
      httpTtlSeconds: httpTtl === Infinity ? 0 : httpTtl,
      private: isPrivate,
      staticTags(variables) {
        const coercion = getVariableValues(schema, variableDefinitions, variables ?? {});
        if (coercion.errors) return undefined;
        const tags = new Set<Tag>([...entityTypes].map(typeTag));
        for (const { def, node, tagsOf } of rootFields) {
          for (const t of tagsOf(getArgumentValues(def, node, coercion.coerced))) tags.add(t);
        }
        return { tags: [...tags], coerced: coercion.coerced };
      },
    };
  }
}

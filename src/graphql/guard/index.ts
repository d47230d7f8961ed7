import type { ApolloServerPlugin } from '@apollo/server';
import {
  type DocumentNode,
  type FragmentDefinitionNode,
  getNamedType,
  type GraphQLCompositeType,
  type GraphQLField,
  GraphQLError,
  type GraphQLSchema,
  isCompositeType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  parse,
  type SelectionSetNode,
  visit,
} from 'graphql';
import { getArgumentValues, getVariableValues } from 'graphql/execution/values';
import { ClientError, InputError, QueryTooComplexError } from '../../lib/errors';
import { CACHE_POLICY, type CachePolicy, FIELD_COST, type FieldCost } from '../cached';
import { ArgsChecker } from './args';

export { ArgsChecker } from './args';

/** The limits every operation is held to before it runs (settings in src/config.ts). */
export interface GuardLimits {
  /** Cost points one operation may cost (QUERY_MAX_COST). */
  maxCost: number;
  /** Nesting of selections, fragments expanded (QUERY_MAX_DEPTH). */
  maxDepth: number;
  /** Aliased fields in one document (QUERY_MAX_ALIASES). */
  maxAliases: number;
  /** Directives in one document (QUERY_MAX_DIRECTIVES). */
  maxDirectives: number;
  /** Lexical tokens in one document, enforced by the parser (QUERY_MAX_TOKENS). */
  maxTokens: number;
  /** Field selections after expanding fragments (QUERY_MAX_FIELDS). */
  maxFields: number;
  /** The size assumed for a list field without a `limit`, `ids` or `topN` argument (QUERY_DEFAULT_LIST_SIZE). */
  defaultListSize: number;
}

export const DEFAULT_GUARD_LIMITS: GuardLimits = {
  maxCost: 5000,
  maxDepth: 15,
  maxAliases: 30,
  maxDirectives: 50,
  maxTokens: 5000,
  maxFields: 1000,
  defaultListSize: 10,
};

/** What an operation costs, reported to the client in `extensions.cost`. */
export interface OperationCost {
  /** Points the operation was charged (computed before it ran). */
  requestedQueryCost: number;
  /** QUERY_MAX_COST. */
  maximumAvailable: number;
}

/**
 * Everything checked about an operation before it runs, in order of cost to check:
 * tokens (while parsing), shape (depth, aliases, directives, expanded fields; before validation,
 * whose overlapping-fields rule is quadratic in a document's width), then for the chosen
 * operation and its variables: every argument's bounds (before any key or tag version exists)
 * and the cost in points, with list sizes taken from `limit`, `ids` and `topN`.
 */
export class RequestGuard {
  readonly args: ArgsChecker;

  constructor(
    private readonly schema: GraphQLSchema,
    readonly limits: GuardLimits = DEFAULT_GUARD_LIMITS,
  ) {
    this.args = new ArgsChecker(schema);
  }

  /** Parses with the token limit; throws GraphQL's syntax error past it. */
  parse(text: string): DocumentNode {
    return parse(text, { maxTokens: this.limits.maxTokens });
  }

  /** Throws QUERY_TOO_COMPLEX when the document is too deep, too wide or has too many directives or aliases. */
  checkShape(document: DocumentNode): void {
    const { maxAliases, maxDirectives, maxDepth, maxFields } = this.limits;
    let aliases = 0;
    let directives = 0;
    visit(document, {
      Field(node) {
        if (node.alias) aliases++;
      },
      Directive() {
        directives++;
      },
    });
    if (aliases > maxAliases)
      throw new QueryTooComplexError(`the document has ${aliases} aliases; at most ${maxAliases} are allowed`, { aliases, maxAliases });
    if (directives > maxDirectives)
      throw new QueryTooComplexError(`the document has ${directives} directives; at most ${maxDirectives} are allowed`, {
        directives,
        maxDirectives,
      });

    const fragments = fragmentsOf(document);
    // Depth and field count of each fragment, once (a fragment spread many times is counted by multiplication, never walked again).
    const memo = new Map<string, { depth: number; fields: number }>();
    const measure = (set: SelectionSetNode, visiting: Set<string>): { depth: number; fields: number } => {
      let depth = 0;
      let fields = 0;
      for (const sel of set.selections) {
        if (sel.kind === Kind.FIELD) {
          const inner = sel.selectionSet ? measure(sel.selectionSet, visiting) : { depth: 0, fields: 0 };
          depth = Math.max(depth, 1 + inner.depth);
          fields = Math.min(Number.MAX_SAFE_INTEGER, fields + 1 + inner.fields);
        } else if (sel.kind === Kind.INLINE_FRAGMENT) {
          const inner = measure(sel.selectionSet, visiting);
          depth = Math.max(depth, inner.depth);
          fields = Math.min(Number.MAX_SAFE_INTEGER, fields + inner.fields);
        } else {
          const name = sel.name.value;
          const fragment = fragments.get(name);
          // A cycle or an unknown fragment is validation's to report.
          if (!fragment || visiting.has(name)) continue;
          let m = memo.get(name);
          if (!m) {
            visiting.add(name);
            m = measure(fragment.selectionSet, visiting);
            visiting.delete(name);
            memo.set(name, m);
          }
          depth = Math.max(depth, m.depth);
          fields = Math.min(Number.MAX_SAFE_INTEGER, fields + m.fields);
        }
      }
      return { depth, fields };
    };
    for (const def of document.definitions) {
      if (def.kind !== Kind.OPERATION_DEFINITION) continue;
      const { depth, fields } = measure(def.selectionSet, new Set());
      if (depth > maxDepth)
        throw new QueryTooComplexError(`the operation is ${depth} levels deep; at most ${maxDepth} are allowed`, { depth, maxDepth });
      if (fields > maxFields)
        throw new QueryTooComplexError(`the operation selects ${fields} fields once fragments are expanded; at most ${maxFields} are allowed`, {
          fields,
          maxFields,
        });
    }
  }

  /**
   * Checks the arguments of every field of a valid document's operation and computes its cost;
   * throws BAD_USER_INPUT or QUERY_TOO_COMPLEX. Undefined when the variables do not coerce
   * (execution reports that, before any field runs).
   */
  analyze(
    document: DocumentNode,
    operationName: string | undefined | null,
    variables: Record<string, unknown> | undefined,
  ): OperationCost | undefined {
    const ops = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    const op = operationName ? ops.find((o) => o.name?.value === operationName) : ops.length === 1 ? ops[0] : undefined;
    if (!op) return undefined;
    const coercion = getVariableValues(this.schema, op.variableDefinitions ?? [], variables ?? {});
    if (coercion.errors) return undefined;
    const root =
      op.operation === 'query'
        ? this.schema.getQueryType()
        : op.operation === 'mutation'
          ? this.schema.getMutationType()
          : this.schema.getSubscriptionType();
    if (!root) return undefined;
    const fragments = fragmentsOf(document);
    const { defaultListSize, maxCost } = this.limits;
    const vars = coercion.coerced;

    const costOf = (set: SelectionSetNode, parent: GraphQLCompositeType, visiting: Set<string>): number => {
      let total = 0;
      for (const sel of set.selections) {
        if (sel.kind === Kind.INLINE_FRAGMENT) {
          const on = sel.typeCondition ? this.schema.getType(sel.typeCondition.name.value) : parent;
          if (on && isCompositeType(on)) total += costOf(sel.selectionSet, on, visiting);
          continue;
        }
        if (sel.kind === Kind.FRAGMENT_SPREAD) {
          const fragment = fragments.get(sel.name.value);
          if (!fragment || visiting.has(sel.name.value)) continue;
          const on = this.schema.getType(fragment.typeCondition.name.value);
          if (!on || !isCompositeType(on)) continue;
          visiting.add(sel.name.value);
          total += costOf(fragment.selectionSet, on, visiting);
          visiting.delete(sel.name.value);
          continue;
        }
        const name = sel.name.value;
        if (name.startsWith('__')) continue;
        if (!isObjectType(parent) && !isInterfaceType(parent)) continue;
        const def = parent.getFields()[name] as GraphQLField<unknown, unknown> | undefined;
        if (!def) continue;
        const coordinate = `${parent.name}.${name}`;
        const args = getArgumentValues(def, sel, vars);
        this.args.check(coordinate, def, args);
        const named = getNamedType(def.type);
        const own = declaredCost(def, args) ?? (isLeafType(named) ? 0 : 1);
        const children = sel.selectionSet && isCompositeType(named) ? costOf(sel.selectionSet, named, visiting) : 0;
        total += own + listSize(def, args, defaultListSize) * children;
      }
      return total;
    };

    const cost = costOf(op.selectionSet, root, new Set());
    if (cost > maxCost) {
      throw new QueryTooComplexError(
        `the operation costs ${cost} points; at most ${maxCost} are allowed (narrow lists with limit, or ask for less)`,
        {
          cost,
          maxCost,
        },
      );
    }
    return { requestedQueryCost: cost, maximumAvailable: maxCost };
  }

  /**
   * The Apollo plugin: every operation Apollo runs (batches included) is analysed after
   * validation and before execution, and its response reports the cost in `extensions.cost`.
   */
  plugin(): ApolloServerPlugin {
    const analyze = this.analyze.bind(this);
    return {
      async requestDidStart() {
        let cost: OperationCost | undefined;
        return {
          async didResolveOperation({ document, request }) {
            try {
              cost = analyze(document, request.operationName, request.variables);
            } catch (err) {
              if (err instanceof ClientError) throw asGraphQLError(err);
              throw err;
            }
          },
          async willSendResponse({ response }) {
            if (cost && response.body.kind === 'single') {
              const result = response.body.singleResult;
              result.extensions = { ...result.extensions, cost };
            }
          },
        };
      },
    };
  }
}

/** A refusal before execution, as GraphQL's error with its code and a 400. */
export function asGraphQLError(err: ClientError): GraphQLError {
  return new GraphQLError(err.message, { extensions: { code: err.code, ...err.details, http: { status: 400 } } });
}

/** True for the errors the guard refuses a request with. */
export function isRefusal(err: unknown): err is InputError | QueryTooComplexError {
  return err instanceof InputError || err instanceof QueryTooComplexError;
}

function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  return new Map(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])));
}

function declaredCost(def: GraphQLField<unknown, unknown>, args: Record<string, unknown>): number | undefined {
  const declared = (def.extensions?.[CACHE_POLICY] as CachePolicy | undefined)?.cost ?? (def.extensions?.[FIELD_COST] as FieldCost | undefined);
  if (declared === undefined) return undefined;
  return typeof declared === 'function' ? declared(args) : declared;
}

/** How many items a list field is charged for: its page size, its ids, or the default. */
function listSize(def: GraphQLField<unknown, unknown>, args: Record<string, unknown>, fallback: number): number {
  const type = isNonNullType(def.type) ? def.type.ofType : def.type;
  if (!isListType(type)) return 1;
  for (const name of ['limit', 'first', 'topN']) if (typeof args[name] === 'number') return Math.max(0, args[name] as number);
  if (Array.isArray(args.ids)) return args.ids.length;
  return fallback;
}

import { getMetadataStorage as validationStorage, validateSync, type ValidationError } from 'class-validator';
import {
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLSchema,
  getNamedType,
  GraphQLID,
  GraphQLString,
  isListType,
  isNonNullType,
} from 'graphql';
import { getMetadataStorage } from 'type-graphql';
import { InputError } from '../../lib/errors';
import { MAX_ID_LENGTH, MAX_LIST_LENGTH, MAX_STRING_LENGTH, preview } from '../arg-bounds';

/**
 * The bounds of every argument, checked on the coerced values before execution (and so before
 * any key is built or tag version created). Two layers:
 * - the class-validator decorators of the `*.args.ts` classes (ids' shapes, page sizes, lengths);
 * - for every argument, declared or not: IDs of at most MAX_ID_LENGTH characters, strings of at
 *   most MAX_STRING_LENGTH unless the args class declares its own length, lists of at most
 *   MAX_LIST_LENGTH unless it declares its own size.
 */
export class ArgsChecker {
  /** Type.field → its @Args() class. */
  private readonly classes = new Map<string, new () => object>();
  /** Type.field → argument names whose length or size the args class bounds itself. */
  private readonly declared = new Map<string, Set<string>>();

  constructor(schema: GraphQLSchema) {
    const storage = getMetadataStorage();
    const objectNames = new Map<Function, string>(storage.objectTypes.map((o) => [o.target, o.name]));
    const add = (coordinate: string, params: readonly { kind: string; getType?: () => unknown }[] | undefined) => {
      for (const p of params ?? []) {
        if (p.kind !== 'args' || !p.getType) continue;
        const cls = p.getType() as new () => object;
        this.classes.set(coordinate, cls);
        const bounded = new Set<string>();
        for (const m of validationMetadataOf(cls)) {
          if (['maxLength', 'arrayMaxSize', 'matches'].includes(m.name ?? '')) bounded.add(m.propertyName);
        }
        this.declared.set(coordinate, bounded);
      }
    };
    const queryName = schema.getQueryType()?.name ?? 'Query';
    const mutationName = schema.getMutationType()?.name ?? 'Mutation';
    for (const q of storage.queries) add(`${queryName}.${q.schemaName}`, q.params);
    for (const m of storage.mutations) add(`${mutationName}.${m.schemaName}`, m.params);
    for (const f of storage.fieldResolvers) {
      const objectClass = f.getObjectType?.() ?? f.resolverClassMetadata?.getObjectType?.();
      const typeName = objectClass ? objectNames.get(objectClass as Function) : undefined;
      if (typeName) add(`${typeName}.${f.schemaName}`, f.params);
    }
  }

  /** Throws BAD_USER_INPUT naming the first argument out of bounds. */
  check(coordinate: string, field: GraphQLField<unknown, unknown>, args: Record<string, unknown>): void {
    const declared = this.declared.get(coordinate);
    for (const arg of field.args) {
      const value = args[arg.name];
      if (value === undefined || value === null) continue;
      const problem = defaultBound(arg.name, arg.type, value, declared?.has(arg.name) ?? false);
      if (problem) throw new InputError(`${coordinate}: ${problem}`, { argument: arg.name });
    }
    const cls = this.classes.get(coordinate);
    if (!cls) return;
    const instance = Object.assign(new cls(), args);
    const errors = validateSync(instance, {
      forbidUnknownValues: false,
      stopAtFirstError: true,
      skipNullProperties: true,
      skipUndefinedProperties: true,
    });
    if (errors.length > 0) throw new InputError(firstMessage(errors[0]), { argument: errors[0].property });
  }
}

function defaultBound(name: string, type: GraphQLInputType, value: unknown, declared: boolean): string | undefined {
  const inner = isNonNullType(type) ? type.ofType : type;
  if (isListType(inner)) {
    if (!Array.isArray(value)) return undefined;
    if (!declared && value.length > MAX_LIST_LENGTH) return `${name} takes at most ${MAX_LIST_LENGTH} items, got ${value.length}`;
    for (const item of value) {
      const problem = defaultBound(name, inner.ofType, item, declared);
      if (problem) return problem;
    }
    return undefined;
  }
  if (typeof value !== 'string' || declared) return undefined;
  const named = getNamedType(inner);
  if (named === GraphQLID && value.length > MAX_ID_LENGTH)
    return `${name} must be an id of at most ${MAX_ID_LENGTH} characters, got ${preview(value)}`;
  if (named === GraphQLString && value.length > MAX_STRING_LENGTH)
    return `${name} must be at most ${MAX_STRING_LENGTH} characters, got ${value.length}`;
  return undefined;
}

function firstMessage(error: ValidationError): string {
  const messages = Object.values(error.constraints ?? {});
  if (messages.length > 0) return messages[0];
  return error.children?.length ? firstMessage(error.children[0]) : `${error.property} is out of bounds`;
}

/** The class-validator constraints declared on cls (its own and inherited). */
function validationMetadataOf(cls: Function): ReturnType<ReturnType<typeof validationStorage>['getTargetValidationMetadatas']> {
  return validationStorage().getTargetValidationMetadatas(cls, '', true, false);
}

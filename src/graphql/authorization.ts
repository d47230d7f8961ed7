import { defaultFieldResolver, type GraphQLSchema, isObjectType } from 'graphql';
import { Extensions } from 'type-graphql';
import { ForbiddenError, UnauthenticatedError } from '../lib/errors';
import type { Role, User } from '../identity';

const AUTH = 'cachegateAuthorized';

/**
 * `@Authorized()` needs a signed-in user; `@Authorized('admin')` needs that role.
 * Checked by applyAuthorization before anything else runs for the field, the cache included,
 * so a refused request neither reads nor writes a single cache key.
 */
export function Authorized(...roles: Role[]): MethodDecorator & PropertyDecorator {
  const extensions = Extensions({ [AUTH]: roles });
  return (target: object, key: string | symbol, descriptor?: PropertyDescriptor) => {
    extensions(target, key, descriptor as any);
  };
}

/** The roles a field needs (empty: any signed-in user); undefined when it is open to everyone. */
export function rolesOf(field: { extensions?: Record<string, unknown> | null } | undefined): readonly Role[] | undefined {
  return field?.extensions?.[AUTH] as Role[] | undefined;
}

/** Whether checkAccess would let user through roles (undefined roles: open). */
export function allows(user: User | undefined, roles: readonly Role[] | undefined): boolean {
  return roles === undefined || (user !== undefined && (roles.length === 0 || roles.includes(user.role)));
}

/** Throws UNAUTHENTICATED without a user and FORBIDDEN without one of the roles. */
export function checkAccess(coordinate: string, user: User | undefined, roles: readonly Role[]): void {
  if (!user) throw new UnauthenticatedError(`${coordinate} needs a signed-in user (Authorization: Bearer <token>)`);
  if (roles.length > 0 && !roles.includes(user.role)) throw new ForbiddenError(`${coordinate} needs the role ${roles.join(' or ')}`);
}

/** Wraps every field marked @Authorized; call it last, so the check is the outermost layer. */
export function applyAuthorization(schema: GraphQLSchema): void {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const roles = field.extensions?.[AUTH] as Role[] | undefined;
      if (!roles) continue;
      const coordinate = `${type.name}.${field.name}`;
      const original = field.resolve ?? defaultFieldResolver;
      field.resolve = (parent, args, ctx, info) => {
        checkAccess(coordinate, (ctx as { user?: User }).user, roles);
        return original(parent, args, ctx, info);
      };
    }
  }
}

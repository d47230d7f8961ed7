import type { AuthChecker } from 'type-graphql';
import { ForbiddenError, UnauthenticatedError } from '../lib/errors';
import type { User } from '../server/auth';

/**
 * `@Authorized()` needs a user; `@Authorized('admin')` needs that role. Throws rather than
 * returning false so the client sees UNAUTHENTICATED or FORBIDDEN, not a generic denial.
 */
export const authChecker: AuthChecker<{ user?: User }> = ({ context, info }, roles) => {
  const coordinate = `${info.parentType.name}.${info.fieldName}`;
  if (!context.user) throw new UnauthenticatedError(`${coordinate} needs a signed-in user (Authorization: Bearer <token>)`);
  if (roles.length > 0 && !roles.includes(context.user.role)) {
    throw new ForbiddenError(`${coordinate} needs the role ${roles.join(' or ')}`);
  }
  return true;
};

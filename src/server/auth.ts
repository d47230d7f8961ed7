import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import type { User } from '../identity';
import { UnauthenticatedError } from '../lib/errors';

export type { Role, User } from '../identity';

const ALG = 'HS256';
const key = (secret: string) => new TextEncoder().encode(secret);

/** Signs a token for a user; `expiresIn` as jose accepts it ('12h', '7d'). */
export async function signToken(secret: string, user: User, expiresIn = '12h'): Promise<string> {
  return new SignJWT({ role: user.role })
    .setProtectedHeader({ alg: ALG })
    .setSubject(user.id)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(key(secret));
}

/**
 * Reads the Authorization header: no header → anonymous (undefined); a bearer token that is
 * malformed, forged, expired or lacks sub/role (or exp, when required) → UnauthenticatedError.
 */
export async function authenticate(
  authorization: string | undefined,
  secret: string,
  opts: { /** JWT_REQUIRE_EXP: a token without an expiry is refused. */ requireExp?: boolean } = {},
): Promise<User | undefined> {
  if (!authorization) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  if (!match) throw new UnauthenticatedError('Authorization header must be "Bearer <token>"');
  try {
    const { payload } = await jwtVerify(match[1], key(secret), { algorithms: [ALG] });
    if (opts.requireExp && payload.exp === undefined) throw new UnauthenticatedError('token has no expiry (exp)');
    const role = payload.role;
    if (typeof payload.sub !== 'string' || payload.sub === '') throw new UnauthenticatedError('token has no subject (sub)');
    if (role !== 'admin' && role !== 'user') throw new UnauthenticatedError('token role must be "admin" or "user"');
    return { id: payload.sub, role };
  } catch (err) {
    if (err instanceof UnauthenticatedError) throw err;
    // The reason is the client's to see (GraphiQL shows it): each names what to do about it.
    if (err instanceof joseErrors.JWTExpired) {
      const exp = typeof err.payload.exp === 'number' ? ` at ${new Date(err.payload.exp * 1000).toISOString()}` : '';
      throw new UnauthenticatedError(`token expired${exp}: get a new one (npm run token)`);
    }
    if (err instanceof joseErrors.JWSSignatureVerificationFailed)
      throw new UnauthenticatedError("invalid token signature: it was signed with another secret than this gateway's JWT_SECRET");
    if (err instanceof joseErrors.JOSEAlgNotAllowed) throw new UnauthenticatedError(`invalid token: it must be signed with ${ALG}`);
    if (err instanceof joseErrors.JWSInvalid || err instanceof joseErrors.JWTInvalid || err instanceof TypeError)
      throw new UnauthenticatedError('malformed token: not a signed JWT');
    throw new UnauthenticatedError('invalid token');
  }
}

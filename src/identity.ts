/**
 * Who is calling: the verified user of a request. The HTTP server establishes it (a bearer
 * token); the GraphQL binding, cache administration and domains only read it, so it lives
 * here rather than beside the token code.
 */
export type Role = 'admin' | 'user';

export interface User {
  id: string;
  role: Role;
}

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { getVariableValues, type GraphQLSchema, Kind, type OperationDefinitionNode, parse, validate } from 'graphql';
import { z } from 'zod';
import { ConfigError } from '../../config';
import type { User } from '../../identity';

/**
 * The warm file (CACHE_WARM_FILE): the queries the gateway runs itself to fill the cache, at
 * startup, again when the cache moves to a new generation, and on a timer for the entries that
 * ask for it. A JSON list; each entry is
 *
 *   { "name": "…",                       label in the log (default: the operation's name)
 *     "query": "query … { … }"           the document, or
 *     "file": "ops.graphql",             a file of documents, relative to the warm file
 *     "operation": "Datasets",           which operation of the document (needed when it has several); sent
 *                                        as operationName, which whole responses are keyed by: clients
 *                                        that send it (Apollo Client does) hit only entries warmed with it
 *     "variables": { … },
 *     "priority": 10,                    higher runs first; ties keep the file's order. Default 0
 *     "refreshIntervalMs": 600000,       recompute and store it this often (shorter than its TTL)
 *     "user": "alice", "role": "user" }  run as this user, for PRIVATE fields (no token needed)
 *
 * Every entry is checked at startup against the schema: a bad one stops the gateway with a
 * message naming it, rather than failing quietly in the log every time it runs.
 */
export interface WarmEntry {
  /** What the log calls it. */
  name: string;
  query: string;
  operationName?: string;
  variables: Record<string, unknown>;
  priority: number;
  refreshIntervalMs?: number;
  user?: User;
}

/** The shortest refresh interval, in milliseconds: a warm entry must not become a busy loop. */
export const MIN_REFRESH_INTERVAL_MS = 100;

const entrySchema = z
  .object({
    name: z.string().min(1).optional(),
    query: z.string().min(1).optional(),
    file: z.string().min(1).optional(),
    operation: z.string().min(1).optional(),
    variables: z.record(z.string(), z.unknown()).default({}),
    priority: z.number().finite().default(0),
    refreshIntervalMs: z.number().int().min(MIN_REFRESH_INTERVAL_MS).optional(),
    user: z.string().min(1).max(128).optional(),
    role: z.enum(['user', 'admin']).optional(),
  })
  .strict()
  .refine((e) => (e.query === undefined) !== (e.file === undefined), { message: 'give exactly one of "query" and "file"' })
  .refine((e) => e.role === undefined || e.user !== undefined, { message: '"role" needs "user"' });

/** Reads and checks the warm file; throws a ConfigError naming the file and the entry at fault. */
export function loadWarmFile(file: string, schema: GraphQLSchema): WarmEntry[] {
  const where = `CACHE_WARM_FILE ${file}`;
  let list: unknown;
  try {
    list = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new ConfigError(`${where}: ${e.code === 'ENOENT' ? 'no such file' : e instanceof SyntaxError ? `not JSON: ${e.message}` : e.message}`);
  }
  if (!Array.isArray(list)) throw new ConfigError(`${where}: must be a JSON list of entries ([{ "query": …, "priority": … }, …])`);
  return list.map((raw, i) => {
    const label = `entry ${i + 1}${isObject(raw) && typeof raw.name === 'string' ? ` ("${raw.name}")` : ''}`;
    const fail = (why: string): never => {
      throw new ConfigError(`${where}, ${label}: ${why}`);
    };
    const parsed = entrySchema.safeParse(raw);
    if (!parsed.success) fail(parsed.error.issues.map((p) => (p.path.length ? `${p.path.join('.')}: ${p.message}` : p.message)).join('; '));
    const e = parsed.data!;
    let query = e.query;
    if (e.file !== undefined) {
      const target = path.resolve(path.dirname(file), e.file);
      try {
        query = readFileSync(target, 'utf8');
      } catch (err) {
        fail(`cannot read "file" ${target}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
      }
    }
    const op = checkOperation(query!, e.operation, e.variables, schema, fail);
    return {
      name: e.name ?? op.name?.value ?? `entry ${i + 1}`,
      query: query!,
      // Sent only when the entry names it: a whole response is keyed by the operation name as the client sent it.
      operationName: e.operation,
      variables: e.variables,
      priority: e.priority,
      refreshIntervalMs: e.refreshIntervalMs,
      user: e.user === undefined ? undefined : { id: e.user, role: e.role ?? 'user' },
    };
  });
}

/** The entry's operation, once it parses, validates, is a query and has the variables it needs. */
function checkOperation(
  query: string,
  operationName: string | undefined,
  variables: Record<string, unknown>,
  schema: GraphQLSchema,
  fail: (why: string) => never,
): OperationDefinitionNode {
  let doc;
  try {
    doc = parse(query);
  } catch (err) {
    return fail(`the query does not parse: ${(err as Error).message}`);
  }
  const invalid = validate(schema, doc);
  if (invalid.length) fail(`the query is not valid against the schema: ${invalid.map((e) => e.message).join('; ')}`);
  const ops = doc.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const op = operationName === undefined ? (ops.length === 1 ? ops[0] : undefined) : ops.find((o) => o.name?.value === operationName);
  if (!op) {
    const names = ops.map((o) => o.name?.value ?? '(anonymous)').join(', ');
    return fail(
      operationName === undefined
        ? `the document has several operations (${names}): name one with "operation"`
        : `no operation "${operationName}" in the document (it has ${names})`,
    );
  }
  if (op.operation !== 'query') fail(`"${op.name?.value ?? 'the operation'}" is a ${op.operation}: only queries are warmed`);
  const coerced = getVariableValues(schema, op.variableDefinitions ?? [], variables);
  if (coerced.errors) fail(`variables: ${coerced.errors.map((e) => e.message).join('; ')}`);
  return op;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

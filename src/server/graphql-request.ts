import type { IncomingMessage } from 'node:http';
import { HttpError, readBody } from './http';

/** A GraphQL request over HTTP, from a GET's query string or a POST's JSON body. */
export interface GraphQLRequestBody {
  query?: string;
  operationName?: string;
  variables?: Record<string, unknown>;
  extensions?: Record<string, any>;
}

export type ParsedRequest = { kind: 'single'; body: GraphQLRequestBody } | { kind: 'other'; raw: unknown };

export async function readGraphQLRequest(req: IncomingMessage, url: URL): Promise<ParsedRequest> {
  if (req.method === 'GET' || req.method === 'HEAD') {
    const p = url.searchParams;
    return {
      kind: 'single',
      body: {
        query: p.get('query') ?? undefined,
        operationName: p.get('operationName') ?? undefined,
        variables: jsonParam(p.get('variables'), 'variables'),
        extensions: jsonParam(p.get('extensions'), 'extensions'),
      },
    };
  }
  if (req.method !== 'POST') throw new HttpError(405, 'GraphQL accepts GET (queries) and POST');
  const type = String(req.headers['content-type'] ?? '');
  if (!type.includes('application/json')) throw new HttpError(415, 'POST /graphql needs content-type: application/json');
  const raw = await readBody(req);
  let body: unknown;
  try {
    body = raw.length ? JSON.parse(raw.toString('utf8')) : undefined;
  } catch {
    throw new HttpError(400, 'request body is not valid JSON');
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { kind: 'other', raw: body };
  const b = body as Record<string, unknown>;
  if ((b.query !== undefined && typeof b.query !== 'string') || (b.variables != null && typeof b.variables !== 'object')) return { kind: 'other', raw: body };
  return {
    kind: 'single',
    body: {
      query: b.query as string | undefined,
      operationName: typeof b.operationName === 'string' ? b.operationName : undefined,
      variables: (b.variables ?? undefined) as Record<string, unknown> | undefined,
      extensions: (b.extensions ?? undefined) as Record<string, any> | undefined,
    },
  };
}

function jsonParam(value: string | null, name: string): Record<string, any> | undefined {
  if (value === null || value === '') return undefined;
  try {
    return JSON.parse(value);
  } catch {
    throw new HttpError(400, `the ${name} parameter is not valid JSON`);
  }
}

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

/** POSTs a GraphQL body as JSON and returns status, headers and the parsed body. */
export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<RawResponse> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return read(res);
}

/** POSTs a raw body to /graphql, for requests a JSON-encoded object cannot express (bad JSON, odd content types). */
export async function postRaw(url: string, body: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return read(await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body }));
}

/** GETs a GraphQL query with its parameters in the query string. */
export async function get(url: string, params: Record<string, unknown>, headers: Record<string, string> = {}): Promise<RawResponse> {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) search.set(k, typeof v === 'string' ? v : JSON.stringify(v));
  return read(await fetch(`${url}/graphql?${search}`, { headers }));
}

async function read(res: Response): Promise<RawResponse> {
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

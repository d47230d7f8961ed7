/**
 * The media types of GraphQL over HTTP: what a POST body may be sent as, and which of the two
 * response types a client gets. One place, so a whole-response hit is labelled exactly as Apollo
 * labels the same response when it executes it.
 */

export const GRAPHQL_RESPONSE_JSON = 'application/graphql-response+json';
export const JSON_TYPE = 'application/json';
export type ResponseMediaType = typeof GRAPHQL_RESPONSE_JSON | typeof JSON_TYPE;

/** The Content-Type header value of a response of this type. */
export const contentTypeOf = (type: ResponseMediaType) => `${type}; charset=utf-8`;

/**
 * Whether a POST's Content-Type is one a GraphQL request may be sent as: exactly
 * `application/json` (or `application/graphql-response+json`), with no charset but UTF-8. A
 * loose match would execute `text/plain; x=application/json`, which a browser sends cross-site
 * without a preflight.
 */
export function isJsonRequestType(header: string | undefined): boolean {
  if (!header) return false;
  // What nearly every client sends, answered without splitting it.
  if (header === JSON_TYPE) return true;
  const [type, ...params] = header.split(';');
  const essence = type.trim().toLowerCase();
  if (essence !== JSON_TYPE && essence !== GRAPHQL_RESPONSE_JSON) return false;
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq === -1) return false;
    const name = param.slice(0, eq).trim().toLowerCase();
    const value = param
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .toLowerCase();
    if (name === 'charset' && value !== 'utf-8' && value !== 'utf8') return false;
  }
  return true;
}

/**
 * The response type for an Accept header: the acceptable one with the higher quality, the
 * GraphQL response type on a tie only when it is named first, application/json when there is no
 * header (legacy clients, as the spec asks); undefined when neither is acceptable (406).
 */
export function negotiate(accept: string | undefined): ResponseMediaType | undefined {
  if (!accept || accept.trim() === '') return JSON_TYPE;
  const memo = negotiated.get(accept);
  if (memo !== undefined) return memo === 'none' ? undefined : memo;
  const ranges = accept.split(',').map((part, order) => {
    const [range, ...params] = part.split(';');
    let q = 1;
    for (const p of params) {
      const [k, v] = p.split('=').map((s) => s.trim().toLowerCase());
      if (k === 'q') q = Number(v);
    }
    return { range: range.trim().toLowerCase(), q: Number.isFinite(q) ? q : 0, order };
  });
  /** The quality and position of the most specific range that matches type. */
  const rank = (type: string) => {
    const [major] = type.split('/');
    const match = ranges.find((r) => r.range === type) ?? ranges.find((r) => r.range === `${major}/*`) ?? ranges.find((r) => r.range === '*/*');
    return match ? { q: match.q, order: match.range === type ? match.order : Infinity } : { q: 0, order: Infinity };
  };
  const gql = rank(GRAPHQL_RESPONSE_JSON);
  const json = rank(JSON_TYPE);
  let chosen: ResponseMediaType | undefined;
  if (gql.q <= 0 && json.q <= 0) chosen = undefined;
  else if (gql.q > json.q || (gql.q === json.q && gql.order < json.order)) chosen = GRAPHQL_RESPONSE_JSON;
  else chosen = JSON_TYPE;
  if (negotiated.size > 256) negotiated.clear();
  negotiated.set(accept, chosen ?? 'none');
  return chosen;
}

/** Clients send a handful of distinct Accept headers; a hit should not parse one each time. */
const negotiated = new Map<string, ResponseMediaType | 'none'>();

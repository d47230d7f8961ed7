import { type IncomingMessage, type OutgoingHttpHeader, type OutgoingHttpHeaders, ServerResponse } from 'node:http';

type Headers = OutgoingHttpHeaders | OutgoingHttpHeader[];

/**
 * A response that adds the headers decided before its writer ran when its head is written,
 * whatever path writes it: CORS's (set by the router) and the rate limit's (set by the GraphQL
 * handler once it admits the request). Vary is merged with the writer's; for any other name the
 * writer's value wins. Writing them with setHeader up front instead would send every response, a
 * cache hit's prebuilt header list included, down node's slower path that merges headers set
 * before writeHead.
 */
export class GatewayResponse<Request extends IncomingMessage = IncomingMessage> extends ServerResponse<Request> {
  /** CORS's headers (name, value, …): shared per origin and never changed, so lists built with them are cached. */
  cors?: readonly string[];
  /** The rate limit's headers (name, value, …): this request's own. */
  rateLimit?: readonly string[];

  override writeHead(statusCode: number, message?: string | Headers, headers?: Headers): this {
    if (!this.cors?.length && !this.rateLimit) return super.writeHead(statusCode, message as string, headers);
    if (typeof message === 'string') return super.writeHead(statusCode, message, this.withDecided(headers));
    return super.writeHead(statusCode, this.withDecided(message));
  }

  private withDecided(headers: Headers | undefined): Headers | undefined {
    const cors = this.cors ?? NONE;
    const rateLimit = this.rateLimit ?? NONE;
    if (headers === undefined) {
      // Written with setHeader (or nothing) before: add to those.
      for (const decided of [cors, rateLimit])
        for (let i = 0; i < decided.length; i += 2) this.setHeader(decided[i], merged(decided[i], decided[i + 1], this.getHeader(decided[i])));
      return undefined;
    }
    if (Array.isArray(headers)) {
      const withCors = cors.length ? withCorsList(headers, cors) : headers;
      return rateLimit.length ? addToList([...withCors], rateLimit) : withCors;
    }
    const out: OutgoingHttpHeaders = { ...headers };
    for (const decided of [cors, rateLimit])
      for (let i = 0; i < decided.length; i += 2) {
        const name = Object.keys(out).find((k) => k.toLowerCase() === decided[i]) ?? decided[i];
        out[name] = merged(decided[i], decided[i + 1], out[name]);
      }
    return out;
  }
}

const NONE: readonly string[] = [];

/** A flat header list with cors added, built once per list and cors list (a hit's list is reused). */
function withCorsList(headers: OutgoingHttpHeader[], cors: readonly string[]): OutgoingHttpHeader[] {
  let byCors = listsWithCors.get(headers);
  if (!byCors) listsWithCors.set(headers, (byCors = new WeakMap()));
  let out = byCors.get(cors);
  if (!out) byCors.set(cors, (out = addToList([...headers], cors)));
  return out;
}

const listsWithCors = new WeakMap<OutgoingHttpHeader[], WeakMap<readonly string[], OutgoingHttpHeader[]>>();

/** Adds decided (name, value, …) to out, a flat list of the writer's, in place. */
function addToList(out: OutgoingHttpHeader[], decided: readonly string[]): OutgoingHttpHeader[] {
  for (let i = 0; i < decided.length; i += 2) {
    const name = decided[i];
    // The length first: a hit pays this per request for the rate limit's headers.
    const at = out.findIndex((h, j) => j % 2 === 0 && String(h).length === name.length && String(h).toLowerCase() === name);
    if (at === -1) out.push(name, decided[i + 1]);
    else out[at + 1] = merged(name, decided[i + 1], out[at + 1]);
  }
  return out;
}

/** The decided value for name, with what the writer gave: Vary lists both (the decided one first); anything else keeps the writer's. */
function merged(name: string, value: string, writers: OutgoingHttpHeader | undefined): OutgoingHttpHeader {
  if (writers === undefined) return value;
  return name === 'vary' ? `${value}, ${String(writers)}` : writers;
}

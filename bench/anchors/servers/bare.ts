// A bare node:http server answering every request with the same fixed JSON: the ceiling.
// HIT_SHAPED=1 makes it do what any response cache must on a hit, and nothing else: read the
// POST body, look its text up, and answer with a hit's headers (Cache-Control, Vary, ETag,
// X-Cache, Age), so the bench tells that work apart from cachegate's own.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { CarsData, env } from '../common';

const body = Buffer.from(JSON.stringify({ data: { dataset: { statistics: new CarsData().statistics() } } }));

function fixed(req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
    res.end(body);
  });
}

const hitHeaders = [
  ['content-type', 'application/json; charset=utf-8'],
  ['cache-control', 'public, no-cache'],
  ['vary', 'Origin, Accept'],
  ['etag', `"${createHash('sha1').update(body).digest('base64url')}"`],
  ['x-cache', 'HIT'],
  ['content-length', String(body.length)],
  ['age', '0'],
].flat();
const answers = new Map<string, Buffer>();

function hitShaped(req: IncomingMessage, res: ServerResponse): void {
  const parts: Buffer[] = [];
  req.on('data', (chunk: Buffer) => parts.push(chunk));
  req.on('end', () => {
    const text = (parts.length === 1 ? parts[0] : Buffer.concat(parts)).toString('utf8');
    let answer = answers.get(text);
    if (!answer) answers.set(text, (answer = body));
    res.writeHead(200, hitHeaders);
    res.end(answer);
  });
}

createServer(process.env.HIT_SHAPED === '1' ? hitShaped : fixed).listen(Number(env('PORT')), '127.0.0.1', () => process.stdout.write('ready\n'));

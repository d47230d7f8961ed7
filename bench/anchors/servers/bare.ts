// A bare node:http server answering every request with the same fixed JSON: the ceiling.
import { createServer } from 'node:http';
import { CarsData, env } from '../common';

const body = Buffer.from(JSON.stringify({ data: { dataset: { statistics: new CarsData().statistics() } } }));
createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
    res.end(body);
  });
}).listen(Number(env('PORT')), '127.0.0.1', () => process.stdout.write('ready\n'));

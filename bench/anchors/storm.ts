// The miss storm, in a process of its own so the one that measures throughput carries none of
// its 200 connections: STORM concurrent identical POSTs to URL; prints how many were not 200.
import { env } from './common';

async function main(): Promise<void> {
  const url = env('URL');
  const body = env('BODY');
  const statuses = await Promise.all(
    Array.from({ length: Number(env('STORM')) }, async () => {
      const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      await res.arrayBuffer();
      return res.status;
    }),
  );
  process.stdout.write(String(statuses.filter((s) => s !== 200).length));
}

main().catch((err) => {
  process.stderr.write(`${err.stack}\n`);
  process.exit(1);
});

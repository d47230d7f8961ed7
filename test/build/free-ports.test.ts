import { createServer } from 'node:net';
import { freePorts } from '../helpers/redis';

/** The helpers that start Redis topologies take all their ports at once: a cluster node once got its own port as its bus port. */
describe('freePorts', () => {
  // 500: a picker that closes each port before taking the next repeats ports 16-19 times in so many here.
  it('hands out distinct ports, each free to listen on afterwards', async () => {
    const ports = await freePorts(500);
    expect(new Set(ports).size).toBe(500);
    for (const port of ports.slice(0, 8)) {
      const srv = createServer();
      await new Promise<void>((resolve, reject) => {
        srv.once('error', reject);
        srv.listen(port, '127.0.0.1', () => resolve());
      });
      await new Promise((resolve) => srv.close(resolve));
    }
  });
});

import type { Server } from 'node:http';
import type { Express } from 'express';

/** Returns the HTTP server once it listens (port 0 picks a free port). */
export function listen(app: Express, port: number, host = '127.0.0.1'): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, (err?: Error) => (err ? reject(err) : resolve(server)));
    server.once('error', reject);
  });
}

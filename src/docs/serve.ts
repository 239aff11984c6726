import { createReadStream, existsSync, realpathSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { UserError } from '../errors.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.pdf': 'application/pdf',
};

/**
 * Serves the files of `dir` (GET and HEAD only; nothing outside it, symlinks
 * followed before that check). Resolves once listening; a port in use is a
 * user error naming it.
 */
export function serveDirectory(dir: string, host: string, port: number): Promise<Server> {
  const root = realpathSync(dir);
  const server = createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    let file = resolve(join(root, path.endsWith('/') ? `${path}index.html` : path));
    try {
      if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
      file = realpathSync(file);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    if (file !== root && !file.startsWith(root + sep)) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'content-length': statSync(file).size,
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') reject(new UserError(`port ${port} on ${host} is in use`, {}, { hint: `stop what uses it, or pass another port: --port ${port === 65535 ? 8081 : port + 1}` }));
      else if (e.code === 'EACCES') reject(new UserError(`not allowed to listen on port ${port} on ${host}`, {}, { hint: 'ports below 1024 need privileges: pass --port 8080' }));
      else if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND') reject(new UserError(`cannot listen on host ${host}: it is not an address of this machine`, {}, { hint: 'use --host 127.0.0.1 (this machine only) or --host 0.0.0.0 (every interface)' }));
      else reject(e);
    });
    server.listen(port, host, () => resolvePromise(server));
  });
}

import { connect } from 'node:net';

/** The protocol's CancelRequest code (1234 << 16 | 5678). */
const CANCEL_REQUEST_CODE = 80877102;

export interface BackendKey {
  processId: number;
  secretKey: number;
}

/**
 * Asks the server to cancel whatever backend `key` is running, over a new
 * socket and without logging in: the 16-byte CancelRequest (length, code,
 * process id, secret key). The server answers by closing the socket; the
 * cancelled statement fails on its own connection. Best effort: resolves
 * (never rejects) once the request is sent or could not be.
 */
export function sendCancelRequest(host: string, port: number, key: BackendKey, timeoutMs = 5000): Promise<void> {
  const message = Buffer.alloc(16);
  message.writeInt32BE(16, 0);
  message.writeInt32BE(CANCEL_REQUEST_CODE, 4);
  message.writeInt32BE(key.processId, 8);
  message.writeInt32BE(key.secretKey, 12);
  return new Promise((resolve) => {
    const socket = host.startsWith('/') ? connect(`${host}/.s.PGSQL.${port}`) : connect(port, host);
    const done = () => {
      socket.destroy();
      resolve();
    };
    socket.setTimeout(timeoutMs, done);
    socket.once('error', done);
    socket.once('close', done);
    socket.once('connect', () => socket.end(message));
  });
}

import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { ErrorType } from '../errors.js';

// What each HTTP parser failure means for the client; anything else is a malformed request (400).
const PARSER_ERRORS: Record<string, { status: number; description: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, description: 'The request headers are larger than the 16 KB the server accepts; send fewer or shorter headers' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, description: 'The request was not received in time; send the whole request promptly' },
};

/**
 * Fastify's `clientErrorHandler`: a request Node's HTTP parser refused (bad Content-Length, headers over the limit,
 * garbage instead of HTTP) never reaches a route, so no route can shape its answer. It gets Bandwidth's error body,
 * with a status that says why, instead of Fastify's own shape; then the connection is closed, as Node does.
 */
export function bandwidthClientErrorHandler(this: FastifyInstance, error: Error & { code?: string }, socket: Socket): void {
  // A reset connection has nobody left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const known = PARSER_ERRORS[error.code ?? ''];
  const status = known?.status ?? 400;
  const body = JSON.stringify({
    type: ErrorType.validation,
    description: known?.description ?? `Your request could not be accepted: it is not valid HTTP (${error.code ?? error.message})`,
  });
  this.log.debug({ code: error.code }, 'malformed HTTP request refused');
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

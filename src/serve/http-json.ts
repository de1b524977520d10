import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * An error that becomes an HTTP response: `status`, a one-line `message` naming the field or limit,
 * and optional JSON `details` (e.g. the list of validation issues).
 *
 * @example
 * throw new HttpError(413, 'body: larger than the limit of 8388608 bytes');
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';

  constructor(
    readonly status: number,
    message: string,
    readonly details?: Readonly<Record<string, unknown>>,
    readonly headers?: Readonly<Record<string, string>>,
  ) {
    super(message);
  }
}

/** The client went away before its request body was complete; there is nobody to answer. */
export class ClientGoneError extends Error {
  override readonly name = 'ClientGoneError';
}

/**
 * Read a request body of at most `limitBytes` bytes.
 *
 * A `Content-Length` above the limit is refused before a byte is read; a chunked body is refused as
 * soon as it passes the limit. Both throw an {@link HttpError} 413 (the caller should close the
 * connection after answering). A client that disconnects mid-body gives a {@link ClientGoneError}.
 *
 * @example
 * const bytes = await readBody(req, 8 * 1024 * 1024);
 */
export function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  try {
    assertDeclaredLengthWithin(req, limitBytes);
  } catch (error: unknown) {
    return Promise.reject(error as Error);
  }
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (error: Error | undefined, value?: Buffer): void => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      if (error !== undefined) reject(error);
      else resolve(value ?? Buffer.alloc(0));
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limitBytes) {
        chunks.length = 0;
        finish(tooLarge(limitBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => finish(undefined, Buffer.concat(chunks, size));
    const onError = (): void => finish(new ClientGoneError('client disconnected while sending the body'));
    const onClose = (): void => {
      if (!req.complete) finish(new ClientGoneError('client disconnected while sending the body'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/**
 * Parse a JSON body, or throw an {@link HttpError} 400 that says where it broke.
 *
 * @example
 * parseJsonBody(Buffer.from('{"query": [')); // throws HttpError(400, 'body: invalid JSON: …')
 */
export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) throw new HttpError(400, 'body: empty; expected a JSON document');
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch (error: unknown) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new HttpError(400, `body: invalid JSON: ${reason}`);
  }
}

/**
 * Send `body` as JSON with `status`. Extra headers (e.g. `Connection: close`) are merged in.
 *
 * @example
 * sendJson(res, 200, { status: 'ok' });
 */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  sendText(res, status, JSON.stringify(body), headers);
}

/**
 * Send `text`, already JSON, with `status` (nothing happens when the client is gone or an answer was sent).
 *
 * @example
 * sendText(res, 200, '[{"score":1}]');
 */
export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** The JSON body of an error response: `{"error": message, ...details}`. */
export function errorBody(error: HttpError): Record<string, unknown> {
  return { error: error.message, ...error.details };
}

/**
 * Throw an {@link HttpError} 413 when the request's `Content-Length` is above `limitBytes`
 * (e.g. before answering `Expect: 100-continue`, so the client never sends the body).
 */
export function assertDeclaredLengthWithin(req: IncomingMessage, limitBytes: number): void {
  const declared = declaredLength(req);
  if (declared !== undefined && declared > limitBytes) throw tooLarge(limitBytes);
}

function declaredLength(req: IncomingMessage): number | undefined {
  const header = req.headers['content-length'];
  if (header === undefined) return undefined;
  const n = Number(header);
  return Number.isFinite(n) ? n : undefined;
}

function tooLarge(limitBytes: number): HttpError {
  return new HttpError(413, `body: larger than the limit of ${limitBytes} bytes (raise it with --body-limit)`);
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
};

/**
 * The server's `clientError` handler: a request Node could not parse (400), headers too large (431), or a client
 * too slow to send its headers or body within `headersTimeout` / `requestTimeout` (408) gets a JSON answer and
 * the connection is closed. A connection already reset is just destroyed.
 *
 * @example
 * server.on('clientError', answerClientError);
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const status = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
  const text = JSON.stringify({ error: status === 408 ? 'request timeout' : `bad request: ${error.code ?? error.message}` });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
  );
}

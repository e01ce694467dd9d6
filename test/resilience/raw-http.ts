// One HTTP exchange with nothing normalised on the way: the path goes out byte for byte (fetch
// would resolve "/wechat/../admin" before sending it), and any header or body may be sent.
import http from 'node:http';

export interface RawRequest {
  method: string;
  /** Path and query exactly as they go on the request line (ASCII; percent-encode the rest). */
  path: string;
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
}

export interface RawResponse {
  /** 0 when the server closed the connection without an answer. */
  status: number;
  text: string;
}

export function rawRequest(base: string, request: RawRequest, timeoutMs = 15_000): Promise<RawResponse> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const body = request.body === undefined ? undefined : Buffer.isBuffer(request.body) ? request.body : Buffer.from(request.body, 'utf8');
    const req = http.request(
      {
        host: hostname,
        port,
        method: request.method,
        path: request.path,
        headers: { ...(body ? { 'Content-Length': String(body.length) } : {}), ...request.headers },
        // A fresh connection each time: one request that breaks its socket must not break the next.
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (error: NodeJS.ErrnoException) => {
      // The server may answer (e.g. 413) and close before the whole body was written.
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') resolve({ status: 0, text: error.code });
      else reject(error);
    });
    req.end(body);
  });
}

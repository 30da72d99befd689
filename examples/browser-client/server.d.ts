/** Serves the example on http://localhost:PORT (bound to 127.0.0.1). Port 0 picks a free one. */
export function serveExample(options?: { port?: number }): Promise<{ url: string; close(): Promise<void> }>;

/** A call to an RFC 7592 client configuration endpoint, with plain fetch (no client library covers RFC 7592). */
export async function manage(
  uri: string,
  method: 'GET' | 'PUT' | 'DELETE' | 'PATCH',
  token: string | undefined,
  body?: unknown,
) {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(uri, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/**
 * A registration sent from the test process (not the browser), as another app or a CLI would send it.
 * Without redirect_uris in the metadata, one is added.
 */
export async function register(
  endpoint: string,
  metadata: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, unknown> | undefined }> {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(
      'redirect_uris' in metadata ? metadata : { ...metadata, redirect_uris: ['http://localhost:5173/callback'] },
    ),
  });
  const text = await res.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: res.status, json };
}

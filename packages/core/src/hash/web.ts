const encoder = new TextEncoder();

/** SHA-256 with Web Crypto (`crypto.subtle`), for edge runtimes, browsers, Deno and Bun. */
export async function sha256Web(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
  let binary = '';
  for (const byte of digest) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

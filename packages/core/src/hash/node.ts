import { createHash } from 'node:crypto';

/** SHA-256 with `node:crypto`, synchronous, so a call costs no extra turn of the event loop. */
export function sha256Node(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('base64url');
}

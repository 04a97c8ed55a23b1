/** Changes to a file that its identity (src/ndjson/file-scan.ts's FileIdentity) must notice. */
import { statSync, utimesSync, writeFileSync } from 'node:fs'

/**
 * Gives `file` an mtime of a whole second, so that rewriteInPlace() can put it back to the very
 * millisecond (utimes takes seconds; a stat's mtimeMs has a fraction).
 */
export function wholeSecondMtime(file: string): void {
  const seconds = Math.floor(Date.now() / 1000) - 60
  utimesSync(file, seconds, seconds)
}

/**
 * Rewrites `file` in place (the same inode) with `content` of its length, then puts its mtime
 * back (a whole second, see wholeSecondMtime): what device, inode, size and mtime cannot tell from
 * the file that was there. Only its ctime moves, once the clock has moved on from the last change
 * (file times tick coarsely: a few ms on Linux), which this waits for.
 */
export async function rewriteInPlace(file: string, content: string | Buffer): Promise<void> {
  const before = statSync(file)
  if (Buffer.byteLength(content) !== before.size) throw new Error('not the same length')
  while (Date.now() < before.ctimeMs + 50) await new Promise(resolve => setTimeout(resolve, 10))
  writeFileSync(file, content)
  utimesSync(file, before.atime, before.mtimeMs / 1000)
  const after = statSync(file)
  if (after.mtimeMs !== before.mtimeMs || after.ino !== before.ino) {
    throw new Error('the rewrite did not keep the inode and mtime')
  }
}

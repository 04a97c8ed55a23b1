/**
 * Text from outside (inputs, server answers) on its way into a log line or a
 * message: control characters could forge workflow commands or garble the
 * log, and a server's page could run to megabytes.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]+/g

export function hasControlCharacters(text: string): boolean {
  CONTROL.lastIndex = 0
  return CONTROL.test(text)
}

/** One line, whitespace folded, at most `max` characters. */
export function shorten(text: string, max = 300): string {
  const flat = text.replace(CONTROL, ' ').replace(/\s+/g, ' ').trim()
  return flat.length > max ? `${flat.slice(0, max)}…` : flat
}

/** An answer's body as a few hundred characters of plain text: never a whole HTML page. */
export function describeBody(body: Buffer): string {
  const text = body.toString('utf8')
  if (text.trim() === '') return 'an empty body'
  if (looksLikeHtml(text)) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1]?.trim()
    return title ? `an HTML page titled "${shorten(title)}"` : 'an HTML page'
  }
  // A garbled answer could carry a signed upload URL: quote the text, not the URL.
  return `"${shorten(text.replace(/https?:\/\/[^\s"'<>]+/g, '<url>'))}"`
}

export function looksLikeHtml(text: string): boolean {
  return /^\s*<(!doctype html|html)/i.test(text)
}

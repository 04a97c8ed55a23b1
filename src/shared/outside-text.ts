/**
 * The one way out for outside text: anything the action's own code did not write (API fields,
 * server messages, file names, resolved paths, inputs) reaches the log, annotations, errors and
 * the job summary only through this module.
 *
 * How it is hard to forget: outside text is only ever *interpolated* into a `t` template, whose
 * literal parts are the action's own words. `t` makes every interpolated value inert and returns
 * `Inert`, and `Inert` is the only type the log helpers, annotations and ActionError accept, so
 * a raw string cannot reach the runner by accident: the compiler refuses it, and a lint rule keeps
 * the runner's own log functions out of every module but the action's log.
 *
 * Inert means:
 * - control characters (C0, DEL, C1), U+2028/U+2029 and the bidirectional controls are shown as
 *   visible escapes (`\n`, `\u001b`), so outside text cannot start a line, move the cursor,
 *   colour the log (ANSI escapes begin with U+001B) or read backwards;
 * - no line can start with `::` and no line can hold `##[`: the runner reads both as workflow
 *   commands (the older `##[` form anywhere in a line);
 * - every credential registered with keepSecret() is cut out, in every form it may come back in,
 *   before anything is shortened (a cut-off key is one the runner's masking cannot match).
 */

declare const inertBrand: unique symbol
/** Text that is safe to print: made only by `t` or `inert`. */
export type Inert = string & { readonly [inertBrand]: true }

const UNSAFE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g
const NAMED_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' }

function escapeUnsafe(text: string): string {
  return text.replace(
    UNSAFE,
    c => NAMED_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`
  )
}

/**
 * The runner's two command forms: `::name::` at the start of a line, `##[name]` anywhere. A lone
 * `:` at the start is left alone (a message piece such as `: reason` is one); a `:` that a later
 * piece turns into `::` is caught where the pieces are joined, in the `t` that joins them.
 */
function defuseCommands(text: string): string {
  return text.replace(/##\[/g, '##\\u005b').replace(/^(\s*):(?=:)/gm, '$1\\u003a')
}

/**
 * A message: the literal parts are the action's own words, every `${value}` is outside text made
 * inert. Applying it again to its own result changes nothing, so messages nest freely.
 */
export function t(strings: TemplateStringsArray, ...values: unknown[]): Inert {
  let text = strings[0] ?? ''
  values.forEach((value, i) => {
    text += escapeUnsafe(redact(String(value))) + (strings[i + 1] ?? '')
  })
  return defuseCommands(text) as Inert
}

/** One outside value on its own, made inert. */
export function inert(value: unknown): Inert {
  return t`${value}`
}

/** Control characters, as the inputs that must not carry them are checked for. */
export function hasControlCharacters(text: string): boolean {
  UNSAFE.lastIndex = 0
  return UNSAFE.test(text)
}

// ---------------------------------------------------------------------------------------------
// Credentials.

/** Every form of every credential, longest first, so a longer form is cut before its parts. */
let secretForms: string[] = []
/** Shorter forms would cut ordinary words out of messages; the runner still masks them. */
const MIN_SECRET_FORM = 6

/**
 * Registers a credential (the secret key, a signed URL, a signature) with the redactor: the value
 * as sent; percent-encoded in every way a server may echo it (see percentForms); JSON-escaped
 * (with `/` as is or as `\/`); and base64 (standard and URL-safe, at each of the three byte
 * alignments it can have inside a longer base64 text, as in an echoed `Authorization: Basic`
 * header). Call it together with the runner's core.setSecret.
 */
export function keepSecret(value: string): void {
  if (!value) return
  const json = JSON.stringify(value).slice(1, -1)
  const forms = [
    value,
    ...percentForms(value),
    json,
    json.replaceAll('/', '\\/'),
    ...base64Forms(value)
  ]
  const all = new Set([...secretForms, ...forms.filter(f => f.length >= MIN_SECRET_FORM)])
  secretForms = [...all].sort((a, b) => b.length - a.length)
}

/**
 * The value percent-encoded as encodeURIComponent does, or as RFC 3986 does (which also encodes
 * `!'()*`); with `/` encoded or kept (as in a path); hex digits in upper or lower case; once, or
 * twice (a URL carried inside another URL's query).
 */
function percentForms(value: string): string[] {
  try {
    encodeURIComponent(value)
  } catch {
    return [] // a lone surrogate: no UTF-8, so no percent-encoded form
  }
  const forms: string[] = []
  for (const rfc3986 of [false, true]) {
    for (const keepSlash of [false, true]) {
      for (const lower of [false, true]) {
        const encode = (text: string): string => {
          let out = encodeURIComponent(text)
          if (rfc3986) out = out.replace(/[!'()*]/g, c => `%${c.charCodeAt(0).toString(16)}`)
          if (keepSlash) out = out.replaceAll('%2F', '/')
          return out.replace(/%[0-9A-Fa-f]{2}/g, h => (lower ? h.toLowerCase() : h.toUpperCase()))
        }
        forms.push(encode(value), encode(encode(value)))
      }
    }
  }
  return forms
}

function base64Forms(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8')
  const forms: string[] = []
  for (const shift of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(shift), bytes])
      .toString('base64')
      .replace(/=+$/, '')
    // Leading characters that mix in the bytes before the value, and a trailing one that mixes
    // in the bytes after it, differ from text to text: keep the part that is the value's alone.
    const head = [0, 2, 3][shift] ?? 0
    const tail = (shift + bytes.length) % 3 === 0 ? 0 : 1
    const stable = encoded.slice(head, encoded.length - tail)
    forms.push(stable, stable.replace(/\+/g, '-').replace(/\//g, '_'))
  }
  return forms
}

/** The text with every registered credential replaced by `***`, as the runner shows masks. */
export function redact(text: string): string {
  let out = text
  for (const form of secretForms) {
    if (out.includes(form)) out = out.split(form).join('***')
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// Outside text in messages.

/**
 * Redacted first, then one line (line breaks and other whitespace folded), at most `max`
 * characters. Other control characters stay, for `t` to show as visible escapes.
 */
export function shorten(text: string, max = 300): string {
  const flat = redact(text).replace(/\s+/g, ' ').trim()
  return flat.length > max ? `${flat.slice(0, max)}…` : flat
}

/** How much of an API-given name or status a message shows: a dataset name has at most 256. */
export const NAME_SHOWN = 256
export const STATUS_SHOWN = 100

/** A value shown back in a message: redacted, cut, quoted (escapes visible as in JSON). */
export function quote(value: string, max = 80): string {
  const safe = redact(value)
  return JSON.stringify(safe.length > max ? `${safe.slice(0, max)}…` : safe)
}

/** A page names its title in its head: no further in than this is looked at. */
const TITLE_SEARCHED = 4096
/**
 * Linear: neither `[^<>]*` nor `[^<]*` runs past a `<`, and every try starts at one, so no
 * character is scanned from two starts (`[^>]*` ran from each `<title` to the end: 40,000 of
 * them in a 240 KB page took seconds).
 */
const TITLE = /<title(?:\s[^<>]*)?>([^<]*)<\/title>/i

/** An answer's body as a few hundred characters of plain text: never a whole HTML page. */
export function describeBody(body: Buffer): string {
  const text = body.toString('utf8')
  if (text.trim() === '') return 'an empty body'
  if (looksLikeHtml(text)) {
    const title = TITLE.exec(text.slice(0, TITLE_SEARCHED))?.[1]?.trim()
    return title ? `an HTML page titled "${shorten(title)}"` : 'an HTML page'
  }
  // A garbled answer could carry a signed upload URL: quote the text, not the URL.
  return `"${shorten(redact(text).replace(/https?:\/\/[^\s"'<>]+/g, '<url>'))}"`
}

export function looksLikeHtml(text: string): boolean {
  return /^\s*<(!doctype html|html)/i.test(text)
}

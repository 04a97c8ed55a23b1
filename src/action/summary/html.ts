/**
 * The pieces a job summary is made of. Every summary is raw HTML, each block on one line: a
 * runner renders the file as GitHub-flavoured markdown, where an HTML block runs to the next
 * blank line and its text is not read as markdown, so outside text can neither end a block nor
 * render as markdown. Outside text goes in only through `text`, which makes it inert and escapes
 * it.
 */
import { readableTime, timeSpan } from '../../shared/format.js'
import { inert, redact } from '../../shared/outside-text.js'

/** Outside text as HTML text: inert (a line break shows as `\n`), then escaped. */
export function text(value: unknown): string {
  return inert(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
}

/**
 * Text whose `code` spans are the action's own markup (the advice in a file's cause, say), as
 * HTML: inert and escaped like `text`, with each pair of backticks turned into <code>, since the
 * summary is HTML, where markdown's backticks would show as they are. A backtick without a
 * partner stays as it is.
 */
export function withCode(value: string): string {
  const parts = text(value).split('`')
  let html = parts[0] ?? ''
  for (let i = 1; i < parts.length; i += 2) {
    html += i + 1 < parts.length ? `${code(parts[i])}${parts[i + 1]}` : `\`${parts[i]}`
  }
  return html
}

/**
 * Outside text cut to `max` characters (a name in a table or a heading need not be whole);
 * redacted first, as a credential cut in two is one the redaction can no longer find.
 */
export function cut(value: string, max: number): string {
  const chars = [...redact(value)]
  return text(chars.length > max ? `${chars.slice(0, max).join('')}…` : value)
}

/** A cell: its HTML, and whether it may wrap (times and ids must not break mid-word). */
export interface Cell {
  html: string
  nowrap?: boolean
}

export const cell = (html: string, nowrap = false): Cell => ({ html, nowrap })

function td(c: Cell): string {
  return c.nowrap ? `<td nowrap>${c.html}</td>` : `<td>${c.html}</td>`
}

/** A table with a header row. */
export function table(head: string[], rows: Cell[][]): string {
  const header = `<thead><tr>${head.map(h => `<th>${h}</th>`).join('')}</tr></thead>`
  const body = rows.map(row => `<tr>${row.map(td).join('')}</tr>`).join('')
  return `<table>${header}<tbody>${body}</tbody></table>`
}

/** A two-column table of named fields, the names as row headers. */
export function fieldTable(rows: Array<[string, Cell]>): string {
  const body = rows.map(([name, c]) => `<tr><th align="left">${name}</th>${td(c)}</tr>`).join('')
  return `<table>${body}</table>`
}

export const heading = (html: string): string => `<h3>${html}</h3>`
export const code = (html: string): string => `<code>${html}</code>`
export const paragraph = (html: string): string => `<p>${html}</p>`

/**
 * `2026-11-26 13:17 UTC (3 h ago)`, never wrapping; in a table, whose header says UTC, the time
 * over how far it is, to keep the columns narrow: `2026-11-26 13:17`, `3 h ago`.
 */
export function when(epochMs: number | undefined, now: number, inTable = false): Cell {
  return timeCell(epochMs, now, inTable, '–', span => `${span} ago`)
}

/** An expiry time, which reads `expired 3 d ago` once past; none, `never`. */
export function expiry(epochMs: number | undefined, now: number, inTable = false): Cell {
  return timeCell(epochMs, now, inTable, 'never', span => `expired ${span} ago`)
}

function timeCell(
  epochMs: number | undefined,
  now: number,
  inTable: boolean,
  none: string,
  past: (span: string) => string
): Cell {
  const time = readableTime(epochMs)
  if (!time || epochMs === undefined) return cell(none)
  const span = timeSpan(epochMs, now)
  const relative = epochMs > now ? `in ${span}` : past(span)
  return cell(
    inTable ? `${time.replace(/ UTC$/, '')}<br>${relative}` : `${time} (${relative})`,
    true
  )
}

/**
 * A whole number as people read it: `1,250`. Not toLocaleString: its first call loads ICU's
 * locale data, which measured 14–21 ms, a tenth of a whole `get` step.
 */
export const num = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',')

/** `1 item`, `1,250 items`. */
export function count(n: number, noun: string): string {
  return `${num(n)} ${n === 1 ? noun : `${noun}s`}`
}

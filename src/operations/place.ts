/**
 * `items.ndjson:7: ` or `items.ndjson:7:12: `, as compilers print a place: the runner's log shows
 * an annotation's message alone (its file and line are properties the log view does not print),
 * so the message names its place itself.
 */
export function place(shownPath: string, line: number, column?: number): string {
  return `${shownPath}:${line}:${column ? `${column}:` : ''} `
}

/**
 * Renders the job summary's HTML (headings, paragraphs, tables) as plain text
 * for a terminal, so the demo shows what GitHub would show.
 */
export function renderSummary(html: string): string {
  const out: string[] = []
  const blocks = html.match(/<h\d>[\s\S]*?<\/h\d>|<p>[\s\S]*?<\/p>|<table>[\s\S]*?<\/table>/g) ?? []
  for (const block of blocks) {
    if (block.startsWith('<h')) out.push('', `## ${plainText(block)}`)
    else if (block.startsWith('<p>')) out.push(plainText(block))
    else out.push(...renderTable(block))
  }
  return out.join('\n').trim()
}

function renderTable(html: string): string[] {
  const rows = (html.match(/<tr>[\s\S]*?<\/tr>/g) ?? []).map(row =>
    (row.match(/<t[hd][^>]*>[\s\S]*?<\/t[hd]>/g) ?? []).map(plainText)
  )
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map(r => (r[i] ?? '').length))) ?? []
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i])).join('  ')
  // A table of named fields (no <thead>) has no header row to underline.
  if (!html.includes('<thead>')) return rows.map(line)
  const [head, ...body] = rows
  return head ? [line(head), widths.map(w => '-'.repeat(w)).join('  '), ...body.map(line)] : []
}

/** The text a reader of the rendered summary sees: tags gone, entities read. */
export function plainText(html: string): string {
  return html
    .replace(/<br>/g, ' ')
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .trim()
}

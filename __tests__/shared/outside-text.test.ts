import { describe, expect, test } from '@jest/globals'
import {
  describeBody,
  hasControlCharacters,
  inert,
  keepSecret,
  quote,
  redact,
  shorten,
  t
} from '../../src/shared/outside-text.js'
import { prng } from '../support/prng.js'

/** A line the runner would read as a workflow command (v2 at the start, v1 anywhere). */
function isCommand(line: string): boolean {
  return /^\s*::/.test(line) || line.includes('##[')
}

describe('t: outside text made inert', () => {
  test.each([
    ['line feed', 'a\nb', 'a\\nb'],
    ['carriage return', 'a\rb', 'a\\rb'],
    ['tab', 'a\tb', 'a\\tb'],
    ['ANSI escape', '\u001b[31mred', '\\u001b[31mred'],
    ['NUL', 'a\u0000b', 'a\\u0000b'],
    ['DEL', 'a\u007fb', 'a\\u007fb'],
    ['C1 next line', 'a\u0085b', 'a\\u0085b'],
    ['line separator', 'a\u2028b', 'a\\u2028b'],
    ['paragraph separator', 'a\u2029b', 'a\\u2029b'],
    ['right-to-left override', 'a\u202eb', 'a\\u202eb']
  ])('%s is shown as a visible escape', (_label, value, shown) => {
    expect(t`<${value}>`).toBe(`<${shown}>`)
  })

  test('a value cannot start a runner command, alone or pieced together', () => {
    expect(isCommand(t`${'::set-output name=x::y'}`)).toBe(false)
    expect(isCommand(t`${'  ::add-mask::y'}`)).toBe(false)
    expect(isCommand(t`${':'}${':stop-commands::z'}`)).toBe(false)
    expect(isCommand(t`x ${'\n::warning::pwned'}`)).toBe(false)
    expect(isCommand(t`${'##'}[stop-commands]t`)).toBe(false)
    expect(isCommand(t`name ${'##[add-mask]x'}`)).toBe(false)
  })

  test('a piece that starts with one colon stays as it is; joined into a message it reads normally', () => {
    const reason = t`: ${'not found'}`
    expect(reason).toBe(': not found')
    expect(t`HTTP ${404}${reason}`).toBe('HTTP 404: not found')
  })

  test('the action’s own words and ordinary values pass unchanged', () => {
    expect(t`Dataset ${'dataset_1'} is ${'Uploaded'} (${3} items) at ::1`).toBe(
      'Dataset dataset_1 is Uploaded (3 items) at ::1'
    )
    expect(t`path ${'C:\\data\\items.ndjson'}, name ${'日本 😀'}`).toBe(
      'path C:\\data\\items.ndjson, name 日本 😀'
    )
  })

  test('applying it again changes nothing (messages nest)', () => {
    for (const value of ['a\nb', '::x::y', '##[x]', '\u001b[1m', 'plain']) {
      const once = inert(value)
      expect(inert(once)).toBe(once)
      expect(t`${t`${value}`}`).toBe(once)
    }
  })

  test('random text never yields a command, a control character or a line break', () => {
    const random = prng(9)
    const alphabet = [':', ':', '#', '#', '[', ']', ' ', '\n', '\r', '\t', '\u001b', '\u0085', 'a']
    for (let n = 0; n < 5000; n++) {
      const pieces = Array.from({ length: 1 + Math.floor(random() * 3) }, () =>
        Array.from(
          { length: Math.floor(random() * 12) },
          () => alphabet[Math.floor(random() * alphabet.length)]
        ).join('')
      )
      const text = t`${pieces[0]}${pieces[1] ?? ''}${pieces[2] ?? ''}`
      expect([pieces, isCommand(text), hasControlCharacters(text)]).toEqual([pieces, false, false])
    }
  })
})

describe('credentials are cut out before text is shortened', () => {
  const key = 'sk_live_Q7v+/9Zx"Lm\\3Kp0RtY8wEe2'
  keepSecret(key)

  /** Whether any 8-character piece of the key survives in `text`. */
  function leaks(text: string): boolean {
    for (let i = 0; i + 8 <= key.length; i++) if (text.includes(key.slice(i, i + 8))) return true
    return false
  }

  test.each([
    ['as sent', key],
    ['URL-encoded', encodeURIComponent(key)],
    [
      'URL-encoded, lower-case hex',
      encodeURIComponent(key).replace(/%[0-9A-F]{2}/g, h => h.toLowerCase())
    ],
    ['JSON-escaped', JSON.stringify(key).slice(1, -1)]
  ])('%s', (_label, form) => {
    const text = `echo: Secret-Key=${form}; done`
    expect(redact(text)).toBe('echo: Secret-Key=***; done')
  })

  test.each([0, 1, 2])('base64 inside a longer base64 text (offset %i)', offset => {
    const echoed = Buffer.from(`${'u'.repeat(offset)}user:${key}:tail`).toString('base64')
    const redacted = redact(echoed)
    // All but the at most 4 characters mixing in neighbouring bytes are gone.
    const keyChars = Math.floor((Buffer.byteLength(key) * 4) / 3)
    expect(redacted).toContain('***')
    expect(echoed.length - (redacted.length - 3)).toBeGreaterThanOrEqual(keyChars - 4)
  })

  test('an echo cut at the shortening limit holds no piece of the key', () => {
    for (let at = 270; at <= 300; at++) {
      const text = `${'x'.repeat(at)}${key} and more`
      const short = shorten(text, 300)
      expect([at, leaks(short)]).toEqual([at, false])
    }
    expect(leaks(quote(`${'y'.repeat(70)}${key}`))).toBe(false)
    expect(leaks(describeBody(Buffer.from(`{"echo": "${'z'.repeat(280)}${key}"}`)))).toBe(false)
  })

  test('messages never carry the key', () => {
    expect(leaks(t`server said: ${`bad key ${key}`}`)).toBe(false)
  })
})

describe('every percent-encoded form a server may echo is cut out', () => {
  // Each of / ! ' ( ) * + = is one some encoding leaves alone and another encodes.
  const key = "sk_A/b!c'd(e)f*g+h=i"
  keepSecret(key)

  test.each([
    ['as sent', "sk_A/b!c'd(e)f*g+h=i"],
    ['encodeURIComponent', "sk_A%2Fb!c'd(e)f*g%2Bh%3Di"],
    ['encodeURIComponent, lower-case hex', "sk_A%2fb!c'd(e)f*g%2bh%3di"],
    ['RFC 3986', 'sk_A%2Fb%21c%27d%28e%29f%2Ag%2Bh%3Di'],
    ['RFC 3986, lower-case hex', 'sk_A%2fb%21c%27d%28e%29f%2ag%2bh%3di'],
    ['encodeURIComponent, / kept', "sk_A/b!c'd(e)f*g%2Bh%3Di"],
    ['encodeURIComponent, / kept, lower-case hex', "sk_A/b!c'd(e)f*g%2bh%3di"],
    ['RFC 3986, / kept', 'sk_A/b%21c%27d%28e%29f%2Ag%2Bh%3Di'],
    ['RFC 3986, / kept, lower-case hex', 'sk_A/b%21c%27d%28e%29f%2ag%2bh%3di'],
    ['encodeURIComponent twice', "sk_A%252Fb!c'd(e)f*g%252Bh%253Di"],
    ['encodeURIComponent twice, lower-case hex', "sk_A%252fb!c'd(e)f*g%252bh%253di"],
    ['RFC 3986 twice', 'sk_A%252Fb%2521c%2527d%2528e%2529f%252Ag%252Bh%253Di'],
    ['RFC 3986 twice, lower-case hex', 'sk_A%252fb%2521c%2527d%2528e%2529f%252ag%252bh%253di'],
    ['encodeURIComponent twice, / kept', "sk_A/b!c'd(e)f*g%252Bh%253Di"],
    ['RFC 3986 twice, / kept, lower-case hex', 'sk_A/b%2521c%2527d%2528e%2529f%252ag%252bh%253di'],
    ['JSON with / escaped', "sk_A\\/b!c'd(e)f*g+h=i"]
  ])('%s', (_label, form) => {
    expect(redact(`echo: Secret-Key=${form}; done`)).toBe('echo: Secret-Key=***; done')
  })

  test('a credential with a lone surrogate (no UTF-8, so no percent form) is still kept', () => {
    const odd = 'https://storage.example/o?sig=\ud800abcdef'
    expect(() => keepSecret(odd)).not.toThrow()
    expect(redact(`at ${odd}.`)).toBe('at ***.')
  })
})

describe('shorten and describeBody', () => {
  test('one line, folded, cut with an ellipsis', () => {
    expect(shorten('a\n\n  b\r\u2028c', 300)).toBe('a b c')
    expect(t`${shorten('a\u001b[1mb')}`).toBe('a\\u001b[1mb')
    expect(shorten('x'.repeat(10), 4)).toBe('xxxx…')
  })

  test('an HTML page is named by its title; URLs in a body are not quoted', () => {
    expect(describeBody(Buffer.from('<!DOCTYPE html><title>502</title>'))).toBe(
      'an HTML page titled "502"'
    )
    expect(describeBody(Buffer.from('see https://storage.example/x?sig=abc'))).toBe('"see <url>"')
    expect(describeBody(Buffer.from('  '))).toBe('an empty body')
  })

  test('the title is looked for in the head: attributes allowed, another tag is not a title', () => {
    const html = (head: string) => Buffer.from(`<!doctype html><html><head>${head}</head></html>`)
    expect(describeBody(html('<TITLE lang="en">Bad gateway</TITLE>'))).toBe(
      'an HTML page titled "Bad gateway"'
    )
    expect(describeBody(html('<titlex>no</title>'))).toBe('an HTML page')
    expect(describeBody(html(`${' '.repeat(5000)}<title>late</title>`))).toBe('an HTML page')
  })

  // `<title[^>]*>` tried from each of these to the end of the page: seconds for 240 KB, and ten
  // times the page a hundred times longer.
  test.each([
    ['240 KB: 40,000 <title openings', 40_000],
    ['2.4 MB: 400,000 <title openings', 400_000]
  ])('%s, then a title: named "an HTML page" without a search per opening', (_label, n) => {
    const page = `<!DOCTYPE html><html><head>${'<title'.repeat(n)}<title>x</title>`
    expect(describeBody(Buffer.from(page))).toBe('an HTML page')
  })
})

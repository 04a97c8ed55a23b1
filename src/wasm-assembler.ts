/**
 * A small WebAssembly binary encoder, covering only what the NDJSON fast path uses: there is no
 * WebAssembly toolchain in the build, so its function is assembled at run time from an
 * instruction tree. Code is a tree of bytes, and of blocks with labels that branches name, so
 * that no branch depth is counted by hand.
 */

export interface Block {
  opcode: number
  label: string
  body: Code[]
  orElse?: Code[]
}
export interface Branch {
  branch: string
  conditional: boolean
}
export type Code = number | Block | Branch | Code[]

export function uleb(n: number): number[] {
  const out: number[] = []
  do {
    const low = n & 0x7f
    n >>>= 7
    out.push(n === 0 ? low : low | 0x80)
  } while (n !== 0)
  return out
}

export function sleb(n: number): number[] {
  const out: number[] = []
  for (;;) {
    const low = n & 0x7f
    n >>= 7
    if ((n === 0 && (low & 0x40) === 0) || (n === -1 && (low & 0x40) !== 0)) return [...out, low]
    out.push(low | 0x80)
  }
}

export function assemble(code: Code, labels: string[] = [], out: number[] = []): number[] {
  if (typeof code === 'number') {
    out.push(code)
  } else if (Array.isArray(code)) {
    for (const part of code) assemble(part, labels, out)
  } else if ('branch' in code) {
    const at = labels.lastIndexOf(code.branch)
    if (at < 0) throw new Error(`no enclosing block "${code.branch}"`)
    out.push(code.conditional ? 0x0d : 0x0c, ...uleb(labels.length - 1 - at))
  } else {
    out.push(code.opcode, 0x40) // a block with no result
    labels.push(code.label)
    assemble(code.body, labels, out)
    if (code.orElse !== undefined) {
      out.push(0x05)
      assemble(code.orElse, labels, out)
    }
    labels.pop()
    out.push(0x0b)
  }
  return out
}

export const vector = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()]
export const section = (id: number, items: number[][]): number[] => {
  const body = vector(items)
  return [id, ...uleb(body.length), ...body]
}
export const name = (text: string): number[] => vector([...Buffer.from(text)].map(c => [c]))

export const block = (label: string, ...body: Code[]): Block => ({ opcode: 0x02, label, body })
export const loop = (label: string, ...body: Code[]): Block => ({ opcode: 0x03, label, body })
/** if (popped value !== 0) body [else orElse] */
export const when = (body: Code[], orElse?: Code[]): Block => ({
  opcode: 0x04,
  label: '',
  body,
  orElse
})
export const br = (label: string): Branch => ({ branch: label, conditional: false })
export const brIf = (label: string): Branch => ({ branch: label, conditional: true })

export const get = (local: number): Code => [0x20, local]
export const set = (local: number): Code => [0x21, local]
export const tee = (local: number): Code => [0x22, local]
export const i32 = (n: number): Code => [0x41, ...sleb(n)]
export const load8 = (offset = 0): Code => [0x2d, 0, ...uleb(offset)] // i32.load8_u
export const load32 = (offset = 0): Code => [0x28, 0, ...uleb(offset)] // i32.load, unaligned
export const store8 = (offset: number): Code => [0x3a, 0, ...uleb(offset)] // i32.store8
export const RETURN = 0x0f
export const EQZ = 0x45
export const EQ = 0x46
export const NE = 0x47
export const LT_U = 0x49
export const GT_U = 0x4b
export const GE_U = 0x4f
export const CTZ = 0x68
export const ADD = 0x6a
export const SUB = 0x6b
export const AND = 0x71
export const OR = 0x72
export const V128_LOAD: Code = [0xfd, 0x00, 0, 0]
export const I8X16_SPLAT: Code = [0xfd, 0x0f]
export const I8X16_EQ: Code = [0xfd, 0x23]
export const I8X16_LT_U: Code = [0xfd, 0x26]
export const V128_OR: Code = [0xfd, 0x50]
export const I8X16_BITMASK: Code = [0xfd, 0x64]

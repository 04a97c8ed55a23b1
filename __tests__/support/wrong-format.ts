/**
 * Realistic dataset files in the wrong format, as the tools that make them write them: for the
 * checker's tests of file causes and for the end-to-end ones.
 */
import { gzipSync } from 'node:zlib'
import CRC32 from 'crc-32'

export interface Item {
  kind: string
  url: string
  meta?: Record<string, unknown>
}

export function items(n: number): Item[] {
  const list: Item[] = []
  for (let i = 0; i < n; i++) {
    const url = `https://storage.example.com/images/${String(i).padStart(6, '0')}.jpg`
    list.push(
      i % 3 === 0
        ? { kind: 'Image', url, meta: { tags: ['a', 'b'], w: 640 } }
        : { kind: 'Image', url }
    )
  }
  return list
}

/** Good NDJSON: one compact object a line. */
export function ndjson(list: Item[]): string {
  return list.map(item => `${JSON.stringify(item)}\n`).join('')
}

const BOM16LE = Buffer.from([0xff, 0xfe])
const BOM16BE = Buffer.from([0xfe, 0xff])

/** What Windows PowerShell 5.1 writes with `>` or Out-File: UTF-16LE with a BOM, CRLF. */
export function utf16le(text: string, bom = true): Buffer {
  const bytes = Buffer.from(text.replace(/\n/g, '\r\n'), 'utf16le')
  return bom ? Buffer.concat([BOM16LE, bytes]) : bytes
}

export function utf16be(text: string, bom = true): Buffer {
  const bytes = Buffer.from(text, 'utf16le').swap16()
  return bom ? Buffer.concat([BOM16BE, bytes]) : bytes
}

export function gzip(data: string | Uint8Array): Buffer {
  return gzipSync(data)
}

/** A valid zip archive holding one stored (uncompressed) file. */
export function zip(name: string, text: string): Buffer {
  const data = Buffer.from(text)
  const fileName = Buffer.from(name)
  const crc = CRC32.buf(data) >>> 0
  const local = Buffer.alloc(30)
  local.writeUInt32LE(0x04034b50, 0)
  local.writeUInt16LE(20, 4) // version needed
  local.writeUInt32LE(crc, 14)
  local.writeUInt32LE(data.length, 18)
  local.writeUInt32LE(data.length, 22)
  local.writeUInt16LE(fileName.length, 26)
  const central = Buffer.alloc(46)
  central.writeUInt32LE(0x02014b50, 0)
  central.writeUInt16LE(20, 4)
  central.writeUInt16LE(20, 6)
  central.writeUInt32LE(crc, 16)
  central.writeUInt32LE(data.length, 20)
  central.writeUInt32LE(data.length, 24)
  central.writeUInt16LE(fileName.length, 28)
  const centralAt = local.length + fileName.length + data.length
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(1, 8)
  end.writeUInt16LE(1, 10)
  end.writeUInt32LE(central.length + fileName.length, 12)
  end.writeUInt32LE(centralAt, 16)
  return Buffer.concat([local, fileName, data, central, fileName, end])
}

/** What a checkout without `lfs: true` leaves in place of the file. */
export const LFS_POINTER =
  'version https://git-lfs.github.com/spec/v1\n' +
  'oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n' +
  'size 12345\n'

/** JSON.stringify(list, null, 2), as json.dump(indent=2) and jq write too. */
export function prettyArray(list: Item[]): string {
  return `${JSON.stringify(list, null, 2)}\n`
}

/** Windows PowerShell 5.1: `ConvertTo-Json | Out-File -Encoding utf8`: a BOM, CRLF, 4 spaces. */
export function powershellJson(value: unknown): Buffer {
  const text = JSON.stringify(value, null, 4).replace(/\n/g, '\r\n')
  return Buffer.from(`\ufeff${text}\r\n`)
}

/** Objects pretty-printed one after another (`jq . file`, json.dumps(item, indent=2) each). */
export function prettyObjects(list: Item[]): string {
  return `${list.map(item => JSON.stringify(item, null, 2)).join('\n')}\n`
}

/** Two NDJSON files that each start with a BOM, joined with `cat`. */
export function joinedWithBoms(a: string, b: string): Buffer {
  return Buffer.from(`\ufeff${a}\ufeff${b}`)
}

/** Classic Mac OS line ends: CR alone. */
export function crOnly(list: Item[]): string {
  return list.map(item => `${JSON.stringify(item)}\r`).join('')
}

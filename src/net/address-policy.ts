import { BlockList, isIP } from 'node:net'

/**
 * Which addresses a URL from a dataset file may make the action connect to. The file is outside
 * text: a URL in it must not open a door into the runner's own network (its loopback services,
 * the cloud metadata address, the private network of a self-hosted runner).
 */

/** The kinds refused, each as a message names it (`resolves to a private address`). */
const KINDS: Array<[kind: string, ipv4: string[], ipv6: string[]]> = [
  ['a loopback', ['127.0.0.0/8'], ['::1/128']],
  [
    'a private',
    // 100.64/10 is the carrier-grade NAT space: not on the internet, and one cloud's metadata
    // service (Alibaba's 100.100.100.200) lives there. fec0::/10 is the old site-local space,
    // 64:ff9b:1::/48 the local NAT64 prefix.
    ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'],
    ['fc00::/7', 'fec0::/10', '64:ff9b:1::/48']
  ],
  // 169.254.169.254 (and AWS's fd00:ec2::254, in fc00::/7) is the cloud metadata address.
  ['a link-local', ['169.254.0.0/16'], ['fe80::/10']],
  ['an unspecified', ['0.0.0.0/8'], ['::/128']],
  ['a multicast', ['224.0.0.0/4'], ['ff00::/8']],
  // 240/4 holds the broadcast address 255.255.255.255.
  ['a reserved or broadcast', ['240.0.0.0/4'], []]
]

const LISTS = KINDS.map(([kind, ipv4, ipv6]) => {
  const list = new BlockList()
  for (const [family, subnets] of [
    ['ipv4', ipv4],
    ['ipv6', ipv6]
  ] as const) {
    for (const subnet of subnets) {
      const [network, prefix] = subnet.split('/')
      list.addSubnet(network, Number(prefix), family)
    }
  }
  return { kind, list }
})

/**
 * Why the action will not connect to `address` (an IPv4 or IPv6 address, without brackets): the
 * kind of address it is, for instance `a private`; undefined for an address on the internet. An
 * IPv6 address that carries an IPv4 one (IPv4-mapped `::ffff:127.0.0.1`, IPv4-compatible
 * `::127.0.0.1`, NAT64 `64:ff9b::a00:1`) is judged by the IPv4 address as well; anything that is
 * not an address at all is refused as unspecified.
 */
export function blockedAddressKind(address: string): string | undefined {
  const bare = address.split('%')[0]
  const family = isIP(bare)
  if (family === 0) return 'an unspecified'
  const embedded = family === 6 ? embeddedIpv4(bare) : undefined
  for (const { kind, list } of LISTS) {
    if (list.check(bare, family === 4 ? 'ipv4' : 'ipv6')) return kind
    if (embedded !== undefined && list.check(embedded, 'ipv4')) return kind
  }
  return undefined
}

/** The IPv4 address an IPv6 address carries in its last 32 bits, for the prefixes that do. */
function embeddedIpv4(address: string): string | undefined {
  const groups = ipv6Groups(address)
  if (groups === undefined) return undefined
  const zeros = (from: number, to: number): boolean => groups.slice(from, to).every(g => g === 0)
  const mapped = zeros(0, 5) && groups[5] === 0xffff
  // ::/96 less :: and ::1 themselves, which are IPv6's own.
  const compatible = zeros(0, 6) && groups[6] !== 0
  const nat64 = groups[0] === 0x64 && groups[1] === 0xff9b && zeros(2, 6)
  if (!mapped && !compatible && !nat64) return undefined
  const [high, low] = [groups[6], groups[7]]
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.')
}

/** The eight 16-bit groups of an IPv6 address (the URL parser writes it in one canonical form). */
function ipv6Groups(address: string): number[] | undefined {
  let canonical: string
  try {
    canonical = new URL(`http://[${address}]/`).hostname.slice(1, -1)
  } catch {
    return undefined
  }
  // Canonical: hexadecimal groups only (a dotted tail is rewritten), at most one `::`.
  const [head, tail] = canonical.split('::')
  const parse = (text: string | undefined): number[] =>
    text ? text.split(':').map(group => parseInt(group, 16)) : []
  if (tail === undefined) return parse(head)
  const [before, after] = [parse(head), parse(tail)]
  return [...before, ...new Array<number>(8 - before.length - after.length).fill(0), ...after]
}

/** An IP address literal as a URL hostname gives it (IPv6 in brackets), without the brackets. */
export function literalAddress(hostname: string): string | undefined {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname
  return isIP(bare) !== 0 ? bare : undefined
}

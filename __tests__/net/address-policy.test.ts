import { blockedAddressKind, literalAddress } from '../../src/net/address-policy.js'

/** Each address with its kind (undefined: allowed), so a failure names the address. */
function expectKinds(cases: Array<[string, string | undefined]>): void {
  expect(cases.map(([address]) => [address, blockedAddressKind(address)])).toEqual(cases)
}

describe('blockedAddressKind', () => {
  it('names the kind of each refused address', () => {
    const cases: Array<[string, string]> = [
      ['127.0.0.1', 'a loopback'],
      ['127.255.255.254', 'a loopback'],
      ['::1', 'a loopback'],
      ['10.0.0.5', 'a private'],
      ['172.16.0.0', 'a private'],
      ['172.31.255.255', 'a private'],
      ['192.168.1.1', 'a private'],
      ['100.64.0.0', 'a private'],
      ['100.100.100.200', 'a private'],
      ['100.127.255.255', 'a private'],
      ['fc00::1', 'a private'],
      ['fd00:ec2::254', 'a private'],
      ['fec0::1', 'a private'],
      ['64:ff9b:1::a', 'a private'],
      ['169.254.169.254', 'a link-local'],
      ['fe80::1', 'a link-local'],
      ['fe80::1%eth0', 'a link-local'],
      ['0.0.0.0', 'an unspecified'],
      ['0.1.2.3', 'an unspecified'],
      ['::', 'an unspecified'],
      ['224.0.0.1', 'a multicast'],
      ['239.255.255.250', 'a multicast'],
      ['ff02::1', 'a multicast'],
      ['255.255.255.255', 'a reserved or broadcast'],
      ['240.0.0.1', 'a reserved or broadcast'],
      ['not an address', 'an unspecified'],
      ['', 'an unspecified']
    ]
    expectKinds(cases)
  })

  it('judges an IPv6 address that carries an IPv4 one by that address too', () => {
    const cases: Array<[string, string]> = [
      ['::ffff:127.0.0.1', 'a loopback'],
      ['::ffff:7f00:1', 'a loopback'],
      ['0:0:0:0:0:ffff:7f00:1', 'a loopback'],
      ['::127.0.0.1', 'a loopback'],
      ['::ffff:10.0.0.5', 'a private'],
      ['::ffff:a9fe:a9fe', 'a link-local'],
      ['::169.254.169.254', 'a link-local'],
      ['64:ff9b::10.0.0.5', 'a private'],
      ['64:ff9b::7f00:1', 'a loopback'],
      ['::ffff:0.0.0.0', 'an unspecified'],
      ['::ffff:224.0.0.1', 'a multicast']
    ]
    expectKinds(cases)
  })

  it('allows addresses on the internet, up to the edges of the refused ranges', () => {
    expectKinds(
      [
        '8.8.8.8',
        '93.184.216.34',
        '9.255.255.255',
        '11.0.0.0',
        '172.15.255.255',
        '172.32.0.0',
        '192.167.255.255',
        '192.169.0.0',
        '100.63.255.255',
        '100.128.0.0',
        '126.255.255.255',
        '128.0.0.0',
        '169.253.255.255',
        '223.255.255.255',
        '2001:4860:4860::8888',
        '2606:4700::1111',
        'fbff::1',
        'fe00::1',
        '::ffff:8.8.8.8',
        '::8.8.8.8',
        '64:ff9b::8.8.8.8',
        '::2'
      ].map(address => [address, undefined])
    )
  })
})

describe('literalAddress', () => {
  it('gives the address of an IP literal hostname, without brackets; nothing for a name', () => {
    expect(literalAddress('127.0.0.1')).toBe('127.0.0.1')
    expect(literalAddress('[::1]')).toBe('::1')
    expect(literalAddress('[::ffff:7f00:1]')).toBe('::ffff:7f00:1')
    expect(literalAddress('example.com')).toBeUndefined()
    expect(literalAddress('localhost')).toBeUndefined()
    expect(literalAddress('[example.com]')).toBeUndefined()
  })
})

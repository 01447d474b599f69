import { describe, expect, it } from '@jest/globals';
import { detectPii } from './detect-pii.js';
import { isIpv6 } from './ip-address.js';

const ips = (text: string) => detectPii(text).filter((f) => f.kind === 'ip_address').map((f) => text.slice(f.start, f.end));

describe('IPv4 detection', () => {
  it.each(['192.168.1.1', '10.0.0.1', '255.255.255.255', '0.0.0.0', '8.8.8.8'])('finds %j', (ip) => {
    expect(ips(`server ${ip} is up`)).toEqual([ip]);
  });

  it('finds an address with a port, a prefix length or a label before it', () => {
    expect(ips('10.0.0.1:8080, 10.0.0.0/8 and host:172.16.0.5')).toEqual(['10.0.0.1', '10.0.0.0', '172.16.0.5']);
  });

  it.each([
    ['a three-part version', 'version 1.2.3'],
    ['an octet over 255', '999.1.1.1'],
    ['a last octet over 255', '1.2.3.256'],
    ['five parts', '1.2.3.4.5'],
    ['leading zeros', '01.02.03.04'],
    ['a dotted date', '24.11.2026'],
    ['glued to letters', 'v10.0.0.1'],
  ])('finds nothing in %s', (_name, text) => {
    expect(ips(text)).toEqual([]);
  });
});

describe('IPv6 detection', () => {
  it.each([
    '2001:0db8:85a3:0000:0000:8a2e:0370:7334',
    '2001:db8:85a3::8a2e:370:7334',
    '2001:db8::1',
    '::1',
    'fe80::',
    '::ffff:192.0.2.128',
    'FE80::0202:B3FF:FE1E:8329',
  ])('finds %j', (ip) => {
    expect(ips(`reach ${ip} now`)).toEqual([ip]);
  });

  it('leaves out a colon that ends the sentence', () => {
    expect(ips('it was 2001:db8::1: unreachable')).toEqual(['2001:db8::1']);
  });

  it.each([
    ['a time', 'at 12:30:45'],
    ['a C++ scope', 'use std::vector or Foo::bar'],
    ['a MAC address', '00:1A:2B:3C:4D:5E'],
    ['two double colons', '2001::db8::1'],
    ['nine groups', '1:2:3:4:5:6:7:8:9'],
    ['a group of five hex digits', '2001:db8:12345::1'],
    ['hex words without digits', 'dead:beef::cafe'],
  ])('finds nothing in %s', (_name, text) => {
    expect(ips(text)).toEqual([]);
  });

  it('checks the grammar, not only the characters', () => {
    expect(isIpv6('1:2:3:4:5:6:7:8')).toBe(true);
    expect(isIpv6('1:2:3:4:5:6:7::')).toBe(true);
    expect(isIpv6('1:2:3:4:5:6:7:8::')).toBe(false);
    expect(isIpv6('1:2:3:4:5:6:1.2.3.4')).toBe(true);
    expect(isIpv6('1:2:3:4:5:6:7:1.2.3.4')).toBe(false);
    expect(isIpv6('1::2:1.2.3.999')).toBe(false);
    expect(isIpv6(':1:2:3:4:5:6:7')).toBe(false);
  });
});
